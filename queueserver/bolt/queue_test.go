package bolt

import (
	"testing"
	"time"

	"hall"
)

func TestQueue_IssueCallFinish(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	a1 := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	a2 := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	if a1.Code != "A001" || a2.Code != "A002" || a1.State != hall.TicketWaiting || a1.AccessToken == "" {
		t.Fatalf("issued %+v %+v", a1, a2)
	}
	st, err := f.TicketStatus(f.ctx, a2.ID)
	if err != nil || st.Ahead != 1 || st.EstimatedWait != 6*time.Minute {
		t.Fatalf("status of the second ticket: %+v %v", st, err)
	}
	seqBefore := f.lastSeq(t)
	called, err := f.CallNext(f.ctx, "c1", false)
	if err != nil || called.ID != a1.ID || called.State != hall.TicketCalled || called.CounterNumber != 1 || called.StaffID != "s1" {
		t.Fatalf("call next: %+v %v", called, err)
	}
	if f.lastSeq(t) != seqBefore+1 {
		t.Fatal("a call did not append exactly one event")
	}
	evs := f.rec.all()
	last := evs[len(evs)-1]
	if last.Type != hall.EventTicketCalled || last.Ticket.Code != "A001" || last.Counter.Number != 1 || last.Ticket.AccessToken != "" {
		t.Fatalf("published call event %+v", last)
	}
	if c := last.Call; c == nil || c.Code != "A001" || c.CounterNumber != 1 || c.Attempt != 1 || c.Announcement() != "请 A001 号 到 1 号窗口 办理" {
		t.Fatalf("call record %+v", last.Call)
	}
	if _, err := f.Recall(f.ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if evs := f.rec.all(); evs[len(evs)-1].Call == nil || evs[len(evs)-1].Call.Attempt != 2 {
		t.Fatalf("recall event %+v", evs[len(evs)-1])
	}
	if _, err := f.Start(f.ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	done, err := f.Finish(f.ctx, "c1")
	if err != nil || done.State != hall.TicketDone || done.ServiceTime() < 5*time.Minute {
		t.Fatalf("finish: %+v %v", done, err)
	}
	c, _ := f.Counter(f.ctx, "c1")
	if c.State != hall.CounterIdle || c.TicketID != "" {
		t.Fatalf("counter after finish: %+v", c)
	}
	st, _ = f.TicketStatus(f.ctx, a2.ID)
	if st.Ahead != 0 {
		t.Fatalf("ahead after the first was served: %d", st.Ahead)
	}
	// The log replays exactly what was published.
	log, err := f.EventsSince(f.ctx, 0, 0)
	if err != nil || len(log) != len(f.rec.all()) {
		t.Fatalf("log has %d events, published %d (%v)", len(log), len(f.rec.all()), err)
	}
	f.verify(t)
}

// TestQueue_TwoPositionsOneSign: two counters under one sign (一屏双号双呼) announce their position.
func TestQueue_TwoPositionsOneSign(t *testing.T) {
	f := openFixture(t)
	for i, pos := range []string{"左", "右"} {
		c, _ := f.Counter(f.ctx, []string{"c1", "c2"}[i])
		c.SignGroup, c.Position = "sign-1", pos
		if err := f.PutCounter(f.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	f.login(t, "c1", "c2")
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.CallNext(f.ctx, "c1", false)
	f.CallNext(f.ctx, "c2", true)
	var calls []*hall.Call
	for _, e := range f.rec.all() {
		if e.Call != nil {
			calls = append(calls, e.Call)
		}
	}
	if len(calls) != 2 || calls[0].SignGroup != "sign-1" || calls[1].Position != "右" || !calls[1].Silent {
		t.Fatalf("calls %+v %+v", calls[0], calls[1])
	}
	if got := calls[0].Announcement(); got != "请 A001 号 到 1 号窗口 左 办理" {
		t.Fatalf("announcement %q", got)
	}
}

func TestQueue_EmptyQueue(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	_, err := f.CallNext(f.ctx, "c1", false)
	wantCode(t, err, hall.ENOTFOUND, "queue_empty")
}

// TestQueue_BadInput: every refusal has the right code and leaves the store unchanged.
func TestQueue_BadInput(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	if _, err := f.Pause(f.ctx, "c2", "午休"); err != nil {
		t.Fatal(err)
	}
	f.issue(t, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X", Name: "张三"})
	f.Login(f.ctx, "c4", "s4")
	for i := 0; i < 5; i++ { // gjj has numbers 1..5 only
		f.issue(t, hall.IssueRequest{ServiceID: "gjj"})
	}
	f.verify(t)

	cases := []struct {
		name         string
		op           func() error
		code, reason string
	}{
		{"UnknownService", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "nope", Channel: hall.ChannelTap})
			return err
		}, hall.ENOTFOUND, "service_not_found"},
		{"UnknownCounter", func() error { _, err := f.CallNext(f.ctx, "c99", false); return err }, hall.ENOTFOUND, "counter_not_found"},
		{"CallOnPausedCounter", func() error { _, err := f.CallNext(f.ctx, "c2", false); return err }, hall.ECONFLICT, "counter_paused"},
		{"CallOnLoggedOutCounter", func() error { _, err := f.CallNext(f.ctx, "c3", false); return err }, hall.ECONFLICT, "counter_logged_out"},
		{"FinishWithoutTicket", func() error { _, err := f.Finish(f.ctx, "c1"); return err }, hall.ECONFLICT, "counter_no_ticket"},
		{"RecallWithoutTicket", func() error { _, err := f.Recall(f.ctx, "c1"); return err }, hall.ECONFLICT, "counter_no_ticket"},
		{"InvalidIDNumber", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "110105194912310021"})
			return err
		}, hall.EINVALID, "id_checksum"},
		{"SamePersonTwice", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002x"})
			return err
		}, hall.ECONFLICT, "person_already_waiting"},
		{"OverTheCap", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap})
			return err
		}, hall.EUNAVAILABLE, "service_full"},
		{"NoOpenCounter", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "lonely", Channel: hall.ChannelTap})
			return err
		}, hall.EUNAVAILABLE, "service_no_counter"},
		{"UnknownChannel", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: "fax"})
			return err
		}, hall.EINVALID, "channel"},
		{"TransferNowhere", func() error { _, err := f.Transfer(f.ctx, "c1", hall.TransferTarget{}); return err }, hall.ECONFLICT, "counter_no_ticket"},
		{"PauseWithoutReason", func() error { _, err := f.Pause(f.ctx, "c1", ""); return err }, hall.EINVALID, "pause_reason"},
		{"UnpauseIdle", func() error { _, err := f.Unpause(f.ctx, "c1"); return err }, hall.ECONFLICT, "counter_not_paused"},
		{"LoginTakenCounter", func() error { _, err := f.Login(f.ctx, "c1", "s3"); return err }, hall.ECONFLICT, "counter_taken"},
		{"LoginUnknownStaff", func() error { _, err := f.Login(f.ctx, "c3", "nobody"); return err }, hall.ENOTFOUND, "staff_not_found"},
		{"LoginStaffElsewhere", func() error { _, err := f.Login(f.ctx, "c3", "s1"); return err }, hall.ECONFLICT, "staff_elsewhere"},
		{"CancelUnknownTicket", func() error { _, err := f.CancelTicket(f.ctx, "20261123-99999999"); return err }, hall.ENOTFOUND, "ticket_not_found"},
		{"NegativeRequeue", func() error { _, err := f.NoShow(f.ctx, "c1", -1); return err }, hall.EINVALID, "requeue_places"},
		{"ForeignQRCodeAtCheckIn", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: "https://example.com/pay"})
			return err
		}, hall.EINVALID, "not_our_code"},
		{"DamagedBookingQRCode", func() error {
			qr := hall.AppointmentQR("0123456789abcdef0123456789abcdef")
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: qr[:len(qr)-2] + "ZZ"})
			return err
		}, hall.EINVALID, "bad_check"},
		{"UnknownBookingCode", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: hall.AppointmentQR("0123456789abcdef0123456789abcdef")})
			return err
		}, hall.ENOTFOUND, "appointment_not_found"},
		{"UnknownShortCode", func() error {
			_, err := f.IssueTicket(f.ctx, hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: "000000"})
			return err
		}, hall.ENOTFOUND, "appointment_not_found"},
		{"DeleteCounterInUse", func() error { return f.DeleteCounter(f.ctx, "c1") }, hall.ECONFLICT, "counter_in_use"},
		{"DeleteServiceInUse", func() error { return f.DeleteService(f.ctx, "shebao") }, hall.ECONFLICT, "service_in_use"},
		{"ServicePrefixOverlap", func() error {
			return f.PutService(f.ctx, hall.Service{ID: "dup", Name: "重复", AreaID: "a1", Prefix: "A", NumberFrom: 500, NumberTo: 1500, Digits: 4})
		}, hall.ECONFLICT, "prefix_overlap"},
		{"CounterUnknownService", func() error {
			return f.PutCounter(f.ctx, hall.Counter{ID: "c9", Number: 9, AreaID: "a1", Services: []hall.CounterService{{ServiceID: "nope"}}})
		}, hall.EINVALID, "service_not_found"},
	}
	if err := f.PutService(f.ctx, hall.Service{ID: "lonely", Name: "无窗口事项", AreaID: "a2", Prefix: "Z", NumberFrom: 1, NumberTo: 99, Digits: 2}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seq := f.lastSeq(t)
			before, _ := f.Availability(f.ctx)
			err := tc.op()
			wantCode(t, err, tc.code, tc.reason)
			if hall.ErrorMessage(err, false) == "" || hall.ErrorMessage(err, true) == "" {
				t.Fatalf("error without messages: %#v", err)
			}
			if got := f.lastSeq(t); got != seq {
				t.Fatalf("a refused operation appended events: seq %d -> %d", seq, got)
			}
			after, _ := f.Availability(f.ctx)
			if len(before) != len(after) {
				t.Fatal("availability changed")
			}
			for i := range before {
				if before[i] != after[i] {
					t.Fatalf("availability changed: %+v -> %+v", before[i], after[i])
				}
			}
			f.verify(t)
		})
	}
}

func TestQueue_OutsideHours(t *testing.T) {
	f := openFixture(t)
	f.Login(f.ctx, "c4", "s4")
	f.clock.Set(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)) // 18:00 Shanghai: gjj closes at 17:00
	_, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "gjj", Channel: hall.ChannelTap})
	wantCode(t, err, hall.EUNAVAILABLE, "service_closed_hours")
	av, _ := f.Availability(f.ctx)
	for _, a := range av {
		if a.ServiceID == "gjj" && (a.Open || a.Reason != "service_closed_hours" || a.Message == "") {
			t.Fatalf("availability of gjj: %+v", a)
		}
	}
}

func TestQueue_PriorityByAge(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	normal := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	old := f.issue(t, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X", Name: "李四"})
	if old.Priority != hall.PriorityElderly || old.Person.MaskedID != "110***********002X" || old.Person.IDHash == "" {
		t.Fatalf("elderly ticket %+v %+v", old, old.Person)
	}
	got, _ := f.CallNext(f.ctx, "c1", false)
	if got.ID != old.ID {
		t.Fatalf("called %s before the elderly visitor (normal %s)", got.Code, normal.Code)
	}
}

func TestQueue_PriorityLaneByID(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	young := hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelPriority, IDNumber: "110105199001010010"}
	seq := f.lastSeq(t)
	if _, err := f.IssueTicket(f.ctx, young); hall.ErrorReason(err) != "not_priority" || f.lastSeq(t) != seq {
		t.Fatalf("priority by ID for a 36-year-old: %v", err)
	}
	young.Priority = hall.PriorityDisabled // staff chose the class: accepted
	if tk := f.issue(t, young); tk.Priority != hall.PriorityDisabled {
		t.Fatalf("priority %q", tk.Priority)
	}
}

// TestQueue_SeveralWaitingTicketsWhenConfigured: the one-live-ticket rule can be switched off for
// one service or for the whole hall.
func TestQueue_SeveralWaitingTicketsWhenConfigured(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	r := hall.IssueRequest{ServiceID: "yibao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"}
	f.issue(t, r)
	if _, err := f.IssueTicket(f.ctx, r); hall.ErrorReason(err) != "person_already_waiting" {
		t.Fatalf("second ticket with the rule on: %v", err)
	}
	svc, _ := f.Service(f.ctx, "yibao")
	svc.AllowSeveralWaiting = true
	if err := f.PutService(f.ctx, svc); err != nil {
		t.Fatal(err)
	}
	f.issue(t, r) // allowed for this service now
	if _, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.IssueTicket(f.ctx, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"}); hall.ErrorReason(err) != "person_already_waiting" {
		t.Fatalf("other services keep the rule: %v", err)
	}
	h, _ := f.Hall(f.ctx)
	h.AllowSeveralWaiting = true
	if err := f.SetHall(f.ctx, h); err != nil {
		t.Fatal(err)
	}
	f.issue(t, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"})
	f.verify(t)
}

func TestQueue_SamePersonAgainAfterServed(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	r := hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"}
	f.issue(t, r)
	f.CallNext(f.ctx, "c1", false)
	if _, err := f.IssueTicket(f.ctx, r); hall.ErrorReason(err) != "person_already_waiting" {
		t.Fatalf("second ticket while being called: %v", err)
	}
	f.Finish(f.ctx, "c1")
	f.issue(t, r) // served: a new ticket is fine
	// A different service is fine too.
	f.issue(t, hall.IssueRequest{ServiceID: "yibao", Channel: hall.ChannelIDCard, IDNumber: "11010519491231002X"})
}

func TestQueue_NoShowAndRequeue(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c3")
	var tk []hall.Ticket
	for i := 0; i < 5; i++ {
		tk = append(tk, f.issue(t, hall.IssueRequest{ServiceID: "yibao"}))
	}
	first, _ := f.CallNext(f.ctx, "c3", false)
	back, err := f.NoShow(f.ctx, "c3", 2)
	if err != nil || back.State != hall.TicketWaiting || back.Requeues != 1 || !back.ArrivedAt.Equal(first.ArrivedAt) {
		t.Fatalf("requeue: %+v %v", back, err)
	}
	var order []string
	for i := 0; i < 5; i++ {
		c, err := f.CallNext(f.ctx, "c3", false)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, c.Code)
		f.Finish(f.ctx, "c3")
	}
	want := []string{"B002", "B003", "B001", "B004", "B005"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order after putting B001 back 2 places: %v, want %v", order, want)
		}
	}
	// A plain no-show ends the ticket.
	f.issue(t, hall.IssueRequest{ServiceID: "yibao"})
	f.CallNext(f.ctx, "c3", false)
	gone, err := f.NoShow(f.ctx, "c3", 0)
	if err != nil || gone.State != hall.TicketNoShow {
		t.Fatalf("no-show: %+v %v", gone, err)
	}
	f.verify(t)
}

func TestQueue_Transfer(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2", "c3")
	early := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.clock.Advance(time.Minute)
	f.issue(t, hall.IssueRequest{ServiceID: "yibao"})
	f.CallNext(f.ctx, "c1", false)
	next, err := f.Transfer(f.ctx, "c1", hall.TransferTarget{ServiceID: "yibao"})
	if err != nil || next.ServiceID != "yibao" || next.Code != early.Code || !next.ArrivedAt.Equal(early.ArrivedAt) || next.TransferredFrom != early.ID {
		t.Fatalf("transfer: %+v %v", next, err)
	}
	old, _ := f.Ticket(f.ctx, early.ID)
	if old.State != hall.TicketTransferred || old.TransferredTo != next.ID {
		t.Fatalf("old ticket %+v", old)
	}
	// The mobile link follows the visitor.
	byToken, err := f.TicketByToken(f.ctx, early.AccessToken)
	if err != nil || byToken.ID != next.ID {
		t.Fatalf("token opens %s (%v), want %s", byToken.ID, err, next.ID)
	}
	if byCode, _ := f.TicketByCode(f.ctx, next.Day, next.Code); byCode.ID != next.ID {
		t.Fatalf("code %s finds %s, want the transferred ticket %s", next.Code, byCode.ID, next.ID)
	}
	// Kept its arrival: it goes before the yibao ticket issued a minute later.
	c, _ := f.CallNext(f.ctx, "c3", false)
	if c.ID != next.ID {
		t.Fatalf("c3 called %s, want the transferred %s", c.Code, next.Code)
	}
	// Transfer to one counter: only that counter calls it, ahead of its own line.
	n2, err := f.Transfer(f.ctx, "c3", hall.TransferTarget{CounterID: "c2"})
	if err != nil || n2.TargetCounterID != "c2" {
		t.Fatalf("transfer to counter: %+v %v", n2, err)
	}
	if _, err := f.CallTicket(f.ctx, "c1", n2.ID, false); hall.ErrorReason(err) != "ticket_for_other_counter" {
		t.Fatalf("c1 called a ticket sent to c2: %v", err)
	}
	got, _ := f.CallNext(f.ctx, "c2", false)
	if got.ID != n2.ID {
		t.Fatalf("c2 called %s, want %s", got.ID, n2.ID)
	}
	f.verify(t)
}

func TestQueue_HoldResume(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	a := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	b := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.CallNext(f.ctx, "c1", false)
	f.Start(f.ctx, "c1")
	held, err := f.Hold(f.ctx, "c1", "回去取材料")
	if err != nil || held.State != hall.TicketHeld {
		t.Fatalf("hold: %+v %v", held, err)
	}
	got, _ := f.CallNext(f.ctx, "c1", false) // the counter is free meanwhile
	if got.ID != b.ID {
		t.Fatal("counter not free after hold")
	}
	if _, err := f.Resume(f.ctx, "c1", a.ID); hall.ErrorReason(err) != "counter_busy" {
		t.Fatalf("resume while busy: %v", err)
	}
	f.Finish(f.ctx, "c1")
	if _, err := f.Resume(f.ctx, "c2", a.ID); hall.ErrorReason(err) != "ticket_held_elsewhere" {
		t.Fatalf("resume elsewhere: %v", err)
	}
	list, _ := f.HeldTickets(f.ctx, "c1")
	if len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("held list %v", list)
	}
	r, err := f.Resume(f.ctx, "c1", a.ID)
	if err != nil || r.State != hall.TicketServing {
		t.Fatalf("resume: %+v %v", r, err)
	}
	if list, _ := f.HeldTickets(f.ctx, "c1"); len(list) != 0 {
		t.Fatalf("held list after resume %v", list)
	}
	f.verify(t)
}

func TestQueue_CallSpecificAndVirtual(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	second := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	got, err := f.CallTicket(f.ctx, "c1", second.ID, true)
	if err != nil || got.ID != second.ID || !got.Silent {
		t.Fatalf("call specific: %+v %v", got, err)
	}
	evs := f.rec.all()
	if e := evs[len(evs)-1]; e.Note != "specific" {
		t.Fatalf("call-specific not logged as such: %+v", e)
	}
	if _, err := f.CallTicket(f.ctx, "c2", second.ID, false); hall.ErrorCode(err) != hall.ECONFLICT {
		t.Fatalf("second counter called the same ticket: %v", err)
	}
	v, err := f.VirtualCall(f.ctx, "c2", "shebao")
	if err != nil || !v.Virtual || v.State != hall.TicketServing || v.Code != "AV001" || !v.Silent {
		t.Fatalf("virtual: %+v %v", v, err)
	}
	if _, err := f.VirtualCall(f.ctx, "c2", "gjj"); hall.ErrorReason(err) != "counter_busy" {
		t.Fatalf("virtual while busy: %v", err)
	}
	f.Finish(f.ctx, "c2")
	if _, err := f.VirtualCall(f.ctx, "c2", "gjj"); hall.ErrorReason(err) != "not_counter_service" {
		t.Fatalf("virtual for a service the counter does not serve: %v", err)
	}
	// A virtual ticket takes no number from the real line.
	next := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	if next.Code != "A003" {
		t.Fatalf("next real ticket %s", next.Code)
	}
	f.verify(t)
}

func TestQueue_CancelByVisitor(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	a := f.issue(t, hall.IssueRequest{ServiceID: "shebao", Channel: hall.ChannelMobile})
	got, err := f.CancelTicket(f.ctx, a.ID)
	if err != nil || got.State != hall.TicketCancelled {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if _, err := f.CallNext(f.ctx, "c1", false); hall.ErrorReason(err) != "queue_empty" {
		t.Fatalf("cancelled ticket still callable: %v", err)
	}
	if _, err := f.CancelTicket(f.ctx, a.ID); hall.ErrorCode(err) != hall.ECONFLICT {
		t.Fatalf("double cancel: %v", err)
	}
	f.verify(t)
}

func TestQueue_Appointments(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c3")
	book := func(phone string) (hall.Appointment, error) {
		return f.Book(f.ctx, hall.BookingRequest{ServiceID: "yibao", Day: "2026-11-23", Start: hall.MustClock("10:30"), Phone: phone})
	}
	a1, err := book("13800000001")
	if err != nil || a1.Code == "" || a1.State != hall.AppointmentBooked {
		t.Fatalf("book: %+v %v", a1, err)
	}
	if _, err := book("13800000001"); hall.ErrorReason(err) != "already_booked" {
		t.Fatalf("double booking: %v", err)
	}
	if _, err := book("13800000002"); err != nil {
		t.Fatal(err)
	}
	seq := f.lastSeq(t)
	if _, err := book("13800000003"); hall.ErrorReason(err) != "slot_full" {
		t.Fatalf("third booking of a 2-place slot: %v", err)
	}
	if f.lastSeq(t) != seq {
		t.Fatal("refused booking wrote events")
	}
	if len(a1.ShortCode) != 6 {
		t.Fatalf("short code %q", a1.ShortCode)
	}
	if _, err := f.CancelAppointment(f.ctx, a1.ShortCode); hall.ErrorReason(err) != "short_code_not_enough" {
		t.Fatalf("cancel by the guessable short code: %v", err)
	}
	if _, err := f.CancelAppointment(f.ctx, hall.AppointmentQR(a1.Code)); err != nil {
		t.Fatal(err)
	}
	slots, err := f.Slots(f.ctx, "yibao", "2026-11-23")
	if err != nil || len(slots) != 1 || slots[0].Booked != 1 || slots[0].Remaining != 1 || !slots[0].Open {
		t.Fatalf("slots after a cancel: %+v %v", slots, err)
	}
	if _, err := f.Slots(f.ctx, "yibao", "23.11.2026"); hall.ErrorCode(err) != hall.EINVALID {
		t.Fatalf("slots of a malformed day: %v", err)
	}
	a3, err := book("13800000003") // the cancelled place is free again
	if err != nil {
		t.Fatalf("booking after a cancel: %v", err)
	}
	// Check in at 10:20 (before the slot): a walk-in who came earlier is called first until
	// 10:30, then the appointment goes ahead of walk-ins.
	walkIn := f.issue(t, hall.IssueRequest{ServiceID: "yibao"})
	f.clock.Set(time.Date(2026, 11, 23, 2, 20, 0, 0, time.UTC))
	in, err := f.IssueTicket(f.ctx, hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: a3.ShortCode})
	if err != nil || in.ServiceID != "yibao" || in.AppointmentID != a3.ID || in.Phone != "13800000003" {
		t.Fatalf("check-in: %+v %v", in, err)
	}
	if _, err := f.IssueTicket(f.ctx, hall.IssueRequest{Channel: hall.ChannelAppointment, AppointmentCode: a3.Code}); hall.ErrorReason(err) != "appointment_used" {
		t.Fatalf("second check-in: %v", err)
	}
	later := f.issue(t, hall.IssueRequest{ServiceID: "yibao"})
	f.clock.Set(time.Date(2026, 11, 23, 2, 31, 0, 0, time.UTC))
	got, _ := f.CallNext(f.ctx, "c3", false)
	if got.ID != in.ID {
		t.Fatalf("called %s, want the appointment %s ahead of %s and %s", got.Code, in.Code, walkIn.Code, later.Code)
	}
	f.verify(t)
}

func TestQueue_Idempotency(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	ctx := hall.WithIdempotencyKey(f.ctx, "terminal-1:req-42")
	first, err := f.CallNext(ctx, "c1", false)
	if err != nil {
		t.Fatal(err)
	}
	seq := f.lastSeq(t)
	again, err := f.CallNext(ctx, "c1", false) // a retry after a lost reply
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry got %+v %v, want the first result %s", again, err, first.ID)
	}
	if f.lastSeq(t) != seq {
		t.Fatal("the retry acted again")
	}
	if _, err := f.Recall(ctx, "c1"); hall.ErrorReason(err) != "idempotency_key_reused" {
		t.Fatalf("key reused for another operation: %v", err)
	}
	f.verify(t)
}

func TestQueue_CatalogEventsAndLiveStateKept(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1")
	c, _ := f.Counter(f.ctx, "c1")
	c.Services = append(c.Services, hall.CounterService{ServiceID: "gjj"})
	c.State = hall.CounterLoggedOut // ignored: live state is kept
	if err := f.PutCounter(f.ctx, c); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Counter(f.ctx, "c1")
	if got.State != hall.CounterIdle || got.StaffID != "s1" {
		t.Fatalf("reconfiguring dropped the live state: %+v", got)
	}
	f.verify(t) // open-counter counts follow the new service list
	if e := f.rec.all(); e[len(e)-1].Type != hall.EventCatalogChanged {
		t.Fatal("no catalog event")
	}
}
