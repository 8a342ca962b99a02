package bolt

import (
	"testing"

	"hall"
)

// TestQueue_TransferToClosedRefused: a ticket cannot be sent to a service no open counter serves,
// nor to a logged-out counter; the refusal changes nothing.
func TestQueue_TransferToClosedRefused(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1") // c4 (gjj) and c2 stay logged out
	tk := f.issue(t, hall.IssueRequest{ServiceID: "shebao"})
	if _, err := f.CallNext(f.ctx, "c1", false); err != nil {
		t.Fatal(err)
	}
	before := f.lastSeq(t)
	_, err := f.Transfer(f.ctx, "c1", hall.TransferTarget{ServiceID: "gjj"})
	wantCode(t, err, hall.EUNAVAILABLE, "service_closed")
	_, err = f.Transfer(f.ctx, "c1", hall.TransferTarget{CounterID: "c2"})
	wantCode(t, err, hall.EUNAVAILABLE, "counter_closed")
	if f.lastSeq(t) != before {
		t.Fatal("a refused transfer appended events")
	}
	if got, _ := f.Ticket(f.ctx, tk.ID); got.State != hall.TicketCalled {
		t.Fatalf("ticket is %s after refused transfers", got.State)
	}
	// Once c4 opens, the transfer goes through.
	if _, err := f.Login(f.ctx, "c4", "s4"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Transfer(f.ctx, "c1", hall.TransferTarget{ServiceID: "gjj"}); err != nil {
		t.Fatal(err)
	}
	f.verify(t)
}
