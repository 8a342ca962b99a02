package terminal

import (
	"context"
	"testing"
)

// TestTerminal_SignBytes checks, byte for byte, what the terminal sends the LED sign through the
// simulator's port for a login, a call and a finish: the frames of the hall line protocol with
// GB18030 text.
func TestTerminal_SignBytes(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	r.term.o.NoRatingAtFinish = true
	w01, _ := r.admin.Counter(context.Background(), "w01")
	tk := r.issue(w01.Services[0].ServiceID)
	r.idle()
	r.term.CallTicket(tk.ID)
	r.waitFor("called", func(s Snapshot) bool { return !s.Busy && s.Current != nil })
	r.tap(btnFinish)
	r.waitFor("finished", func(s Snapshot) bool { return !s.Busy && s.Current == nil })
	waitSign(t, r.sign, []string{"1号窗口", "工号1001"})
	// 号窗口 is BA C5 B4 B0 BF DA and 工号 B9 A4 BA C5 in GB18030.
	want := "@01,00,PING*11\r\n" + // the driver checks the sign is there
		"@01,01,CLR*5D\r\n" + // login: the counter at rest
		"@01,02,SHOW,1,1\xba\xc5\xb4\xb0\xbf\xda*1E\r\n" + // 1号窗口
		"@01,03,SHOW,2,\xb9\xa4\xba\xc51001*51\r\n" + // 工号1001
		"@01,04,CALL,A001,1,10*6B\r\n" + // the call, blinking 10 s
		"@01,05,SHOW,2,\xb9\xa4\xba\xc51001*57\r\n" +
		"@01,06,CLR*5A\r\n" + // finish: back at rest
		"@01,07,SHOW,1,1\xba\xc5\xb4\xb0\xbf\xda*1B\r\n" +
		"@01,08,SHOW,2,\xb9\xa4\xba\xc51001*5A\r\n"
	if got := r.signPort.written(); got != want {
		t.Fatalf("sign bytes\n got %q\nwant %q", got, want)
	}
}
