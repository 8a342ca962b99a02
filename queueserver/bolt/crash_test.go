package bolt

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hall"
)

// crashChildEnv names the data file a crash-test child process works on.
const crashChildEnv = "HALL_BOLT_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

// crashChild runs load against the store at path until it is killed. It prints one line per
// acknowledged operation, after the operation returned: "I id code", "C id counter", "F id".
func crashChild(path string) {
	s, err := Open(path, Options{Logger: quietLog})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	ctx := context.Background()
	if cs, _ := s.Counters(ctx); len(cs) == 0 {
		seedHall(fatalTB{}, s)
		seedBusyHall(fatalTB{}, s, 4)
	}
	var out sync.Mutex
	ack := func(format string, args ...any) {
		line := fmt.Sprintf(format+"\n", args...)
		out.Lock()
		os.Stdout.WriteString(line) // unbuffered: once written, the parent knows it was acknowledged
		out.Unlock()
	}
	for i := 0; i < 12; i++ {
		go func(i int) {
			for {
				svc := []string{"r", "s"}[i%2]
				tk, err := s.IssueTicket(ctx, hall.IssueRequest{ServiceID: svc, Channel: hall.ChannelTap})
				if err == nil {
					ack("I %s %s", tk.ID, tk.Code)
				}
			}
		}(i)
	}
	for i := 0; i < 4; i++ {
		go func(counter string) {
			for {
				if tk, err := s.Finish(ctx, counter); err == nil {
					ack("F %s", tk.ID)
				}
				if tk, err := s.CallNext(ctx, counter, false); err == nil {
					ack("C %s %s", tk.ID, counter)
				}
			}
		}(fmt.Sprintf("k%02d", i))
	}
	select {}
}

// fatalTB lets the seeding helpers run outside a test.
type fatalTB struct{ testing.TB }

func (fatalTB) Helper() {}
func (fatalTB) Fatal(args ...any) {
	fmt.Fprintln(os.Stderr, args...)
	os.Exit(4)
}

// TestStore_SurvivesSIGKILL runs the real store in a child process under load and kills it with
// SIGKILL at random moments, 24 times over the same file. After each kill the file opens, every
// acknowledged operation is there, nothing is half-applied (Verify), and the log has no gap.
func TestStore_SurvivesSIGKILL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	issued := map[string]string{} // id -> code
	called := map[string]bool{}
	finished := map[string]bool{}
	totalAcks := 0
	const cycles = 24
	for cycle := 0; cycle < cycles; cycle++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for the first acknowledgement, then kill at a random moment.
		first, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("cycle %d: child acknowledged nothing: %s", cycle, stderr.String())
		}
		time.Sleep(time.Duration(20+rng.IntN(250)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		acks := []string{first}
		for l := range lines {
			acks = append(acks, l)
		}
		for _, l := range acks {
			f := strings.Fields(l)
			switch {
			case len(f) == 3 && f[0] == "I":
				issued[f[1]] = f[2]
			case len(f) == 3 && f[0] == "C":
				called[f[1]] = true
			case len(f) == 2 && f[0] == "F":
				finished[f[1]] = true
			default:
				continue // a line torn by the kill was never fully acknowledged
			}
			totalAcks++
		}

		s, err := Open(path, Options{Logger: quietLog})
		if err != nil {
			t.Fatalf("cycle %d: reopen after SIGKILL: %v", cycle, err)
		}
		ctx := context.Background()
		if err := s.Verify(ctx); err != nil {
			s.Close()
			t.Fatalf("cycle %d: invariants broken after SIGKILL:\n%v", cycle, err)
		}
		for id, code := range issued {
			tk, err := s.Ticket(ctx, id)
			if err != nil || tk.Code != code {
				s.Close()
				t.Fatalf("cycle %d: acknowledged ticket %s (%s) lost: %v", cycle, id, code, err)
			}
			if called[id] && tk.State == hall.TicketWaiting {
				s.Close()
				t.Fatalf("cycle %d: acknowledged call of %s lost: still waiting", cycle, id)
			}
			if finished[id] && tk.State != hall.TicketDone {
				s.Close()
				t.Fatalf("cycle %d: acknowledged finish of %s lost: %s", cycle, id, tk.State)
			}
		}
		s.Close()
	}
	t.Logf("%d cycles, %d acknowledged operations checked (%d tickets)", cycles, totalAcks, len(issued))
	if len(issued) == 0 || len(called) == 0 {
		t.Fatal("the children did no work")
	}
}
