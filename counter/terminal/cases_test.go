package terminal

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"hall"
)

// The clerk opens a case (办件) from the ticket at the counter, suspends it for a missing paper
// and completes it; the server has every node, the applicant masked, the ticket linked.
func TestTerminal_CaseFromTheTicketAtTheCounter(t *testing.T) {
	h := startHall(t)
	r := newRig(t, h, false)
	ctx := context.Background()
	w01, err := r.admin.Counter(ctx, "w01")
	if err != nil {
		t.Fatal(err)
	}
	r.idle()
	if uiGet(r, func() bool { return r.term.ui.buttons[btnCase].Disabled() }) == false {
		t.Fatal("the case button is enabled with no ticket")
	}
	r.issue(w01.Services[0].ServiceID)
	r.waitFor("a ticket waiting", func(s Snapshot) bool { return len(s.Waiting) > 0 && !s.Busy })
	r.tap(btnCall)
	s := r.waitFor("the call", func(s Snapshot) bool { return s.Current != nil && !s.Busy })

	// F11 opens the form for the ticket being served.
	r.tap(btnCase)
	if !r.dialogOpen() {
		t.Fatal("no case dialog")
	}
	r.shot("case-open.png")
	r.escape()
	if !r.term.OpenCase("王小五", "110101199003070011", "社保关系转移") {
		t.Fatal("the open was refused by the terminal")
	}
	r.waitFor("the case", func(s Snapshot) bool { return !s.Busy && r.term.Case() != nil })
	c := r.term.Case()
	if c.TicketID != s.Current.ID || c.Applicant.Name != "王*五" || c.Applicant.IDNumber != "" || c.State != hall.CaseAccepted {
		t.Fatalf("case %+v", c)
	}
	r.waitFor("the case line", func(Snapshot) bool {
		return strings.Contains(uiGet(r, func() string { return r.term.ui.tstate.Text }), c.ID)
	})
	// The step dialog offers the steps of the case's state.
	r.tap(btnCase)
	if !r.dialogOpen() {
		t.Fatal("no step dialog")
	}
	r.shot("case-steps.png")
	r.escape()
	for _, st := range []struct {
		step hall.CaseStep
		note string
		want hall.CaseState
	}{{hall.StepSuspend, "缺少户口簿", hall.CaseSuspended}, {hall.StepResume, "", hall.CaseProcessing}, {hall.StepComplete, "", hall.CaseCompleted}} {
		r.idle()
		if !r.term.StepCase(st.step, st.note) {
			t.Fatalf("%s refused by the terminal", st.step)
		}
		r.waitFor(string(st.step), func(s Snapshot) bool { return !s.Busy && r.term.Case().State == st.want })
	}
	got, err := r.admin.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, n := range got.Nodes {
		nodes = append(nodes, string(n.Node))
	}
	if strings.Join(nodes, " ") != "case.opened case.suspended case.resumed case.completed" || got.Nodes[1].Note != "缺少户口簿" || got.StaffID != "1001" {
		t.Fatalf("server case %v %+v", nodes, got)
	}
	// A refused step shows the server's reason and changes nothing.
	r.idle()
	r.term.StepCase(hall.StepSuspend, "")
	r.waitFor("the refusal", func(s Snapshot) bool { return !s.Busy && strings.Contains(s.Notice, "原因") })
}

// shot saves the clerk's window as a PNG into $COUNTER_SHOTS (when set), to look at.
func (r *rig) shot(name string) {
	dir := os.Getenv("COUNTER_SHOTS")
	if dir == "" {
		return
	}
	r.onUI(func() {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			r.t.Fatal(err)
		}
		defer f.Close()
		png.Encode(f, r.term.win.Canvas().Capture())
	})
}

// dialogOpen reports whether a dialog is over the clerk's window.
func (r *rig) dialogOpen() bool {
	return uiGet(r, func() bool { return r.term.win.Canvas().Overlays().Top() != nil })
}

// escape closes the open dialog as the Escape key does.
func (r *rig) escape() {
	r.onUI(func() { r.term.ui.modalKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	if r.dialogOpen() {
		r.t.Fatal("Escape did not close the dialog")
	}
}
