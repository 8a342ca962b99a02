package bolt

import (
	"math/rand/v2"
	"slices"
	"testing"

	"hall"
)

// WaitingFor lists a counter's callable tickets — transferred to it first, then priority,
// appointment and normal, each in queue order — and reads only the head of each index range:
// every limit gives the head of the full list.
func TestDesk_WaitingForOrderAndLimits(t *testing.T) {
	f := openFixture(t)
	f.login(t, "c1", "c2")
	rng := rand.New(rand.NewPCG(7, 7))
	var normal, priority []string
	for i := range 60 {
		r := hall.IssueRequest{ServiceID: []string{"shebao", "yibao"}[rng.IntN(2)]}
		if i%5 == 0 {
			r.Channel, r.Priority = hall.ChannelPriority, hall.PriorityDisabled
		}
		tk := f.issue(t, r)
		f.clock.Advance(1e9)
		if tk.Priority != hall.PriorityNone {
			priority = append(priority, tk.ID)
		} else {
			normal = append(normal, tk.ID)
		}
	}
	// c2 calls the first normal ticket and transfers it to c1: it heads c1's list.
	called, err := f.CallTicket(f.ctx, "c2", normal[0], false)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := f.Transfer(f.ctx, "c2", hall.TransferTarget{CounterID: "c1"})
	if err != nil || moved.TransferredFrom != called.ID {
		t.Fatalf("transfer: %+v %v", moved, err)
	}
	want := append(append([]string{moved.ID}, priority...), normal[1:]...)
	full, err := f.WaitingFor(f.ctx, "c1", 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ts []hall.Ticket) []string {
		var out []string
		for _, tk := range ts {
			out = append(out, tk.ID)
		}
		return out
	}
	if got := ids(full); !slices.Equal(got, want) {
		t.Fatalf("waiting list\n got %v\nwant %v", got, want)
	}
	for _, limit := range []int{1, 2, 5, 13, 40, len(want), len(want) + 5} {
		got, err := f.WaitingFor(f.ctx, "c1", limit)
		if err != nil {
			t.Fatal(err)
		}
		if n := min(limit, len(want)); !slices.Equal(ids(got), want[:n]) {
			t.Fatalf("limit %d: got %v, want %v", limit, ids(got), want[:n])
		}
	}
	if _, err := f.WaitingFor(f.ctx, "nope", 0); hall.ErrorCode(err) != hall.ENOTFOUND {
		t.Fatalf("unknown counter: %v", err)
	}
}
