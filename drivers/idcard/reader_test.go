package idcard_test

import (
	"context"
	"errors"
	"hall/drivers/internal/leakcheck"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"hall/drivers"
	"hall/drivers/idcard"
	"hall/drivers/sim"
)

// The host side of the conversation, spelled as in DEVICES.md.
var (
	cmdFind   = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22}
	cmdSelect = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21}
	cmdRead   = []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32}
)

func quickOpts() idcard.Options {
	return idcard.Options{
		PollInterval: time.Millisecond,
		ReplyTimeout: 300 * time.Millisecond,
		Now:          func() time.Time { return today },
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// wantCard compares a card read from the reader with a preset.
func wantCard(t *testing.T, got drivers.Card, presetName string) {
	t.Helper()
	want := preset(presetName)
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(drivers.Card{}, "Photo", "NewAddress")); d != "" {
		t.Errorf("card (-want +got):\n%s", d)
	}
	if len(got.Photo) != idcard.PhotoLen {
		t.Errorf("photo is %d bytes, want %d", len(got.Photo), idcard.PhotoLen)
	}
}

func TestReader_NextCard_ScriptedConversation(t *testing.T) {
	leakcheck.Check(t)
	findOK, noCard := readHexFile(t, "replies/find_ok.hex"), readHexFile(t, "replies/no_card.hex")
	selectOK, zhang := readHexFile(t, "replies/select_ok.hex"), readHexFile(t, "replies/read_zhang.hex")
	s := newScript(t,
		exchange{cmdFind, noCard}, // nothing on the reader yet
		exchange{cmdFind, findOK},
		exchange{cmdSelect, selectOK},
		exchange{cmdRead, zhang},
		// The card stays on the reader: it is not found again until lifted.
		exchange{cmdFind, noCard},
		exchange{cmdFind, noCard},
		// Placed again: a new placement is a new report.
		exchange{cmdFind, findOK},
		exchange{cmdSelect, selectOK},
		exchange{cmdRead, zhang},
	)
	r := idcard.New(s, quickOpts())
	defer r.Close()
	ctx := ctxTimeout(t, 5*time.Second)
	c, err := r.NextCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCard(t, c, "zhang")
	c, err = r.NextCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCard(t, c, "zhang")
	s.done()
}

func TestReader_NextCard_StickyReaderReportsACardOncePerPlacement(t *testing.T) {
	leakcheck.Check(t)
	findOK, noCard := readHexFile(t, "replies/find_ok.hex"), readHexFile(t, "replies/no_card.hex")
	selectOK, zhang := readHexFile(t, "replies/select_ok.hex"), readHexFile(t, "replies/read_zhang.hex")
	s := newScript(t,
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectOK}, exchange{cmdRead, zhang},
		// This reader keeps finding the card: same card, not reported.
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectOK}, exchange{cmdRead, zhang},
		exchange{cmdFind, noCard}, // lifted
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectOK}, exchange{cmdRead, zhang},
	)
	r := idcard.New(s, quickOpts())
	defer r.Close()
	ctx := ctxTimeout(t, 5*time.Second)
	for i := range 2 {
		c, err := r.NextCard(ctx)
		if err != nil {
			t.Fatalf("placement %d: %v", i+1, err)
		}
		wantCard(t, c, "zhang")
	}
	s.done()
}

func TestReader_NextCard_RefusesAForeignCardOnce(t *testing.T) {
	leakcheck.Check(t)
	findOK, noCard := readHexFile(t, "replies/find_ok.hex"), readHexFile(t, "replies/no_card.hex")
	selectOK := readHexFile(t, "replies/select_ok.hex")
	foreign, zhang := readHexFile(t, "replies/read_foreign.hex"), readHexFile(t, "replies/read_zhang.hex")
	s := newScript(t,
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectOK}, exchange{cmdRead, foreign},
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectOK}, exchange{cmdRead, foreign}, // still there
		exchange{cmdFind, noCard},
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectOK}, exchange{cmdRead, zhang},
	)
	r := idcard.New(s, quickOpts())
	defer r.Close()
	ctx := ctxTimeout(t, 5*time.Second)
	_, err := r.NextCard(ctx)
	var uc *idcard.UnsupportedCardError
	if !errors.As(err, &uc) || !errors.Is(err, drivers.ErrUnsupportedCard) {
		t.Fatalf("foreign card: %v, want *UnsupportedCardError", err)
	}
	c, err := r.NextCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCard(t, c, "zhang")
	s.done()
}

func TestReader_NextCard_FailedSelectIsNotAFault(t *testing.T) {
	leakcheck.Check(t)
	findOK := readHexFile(t, "replies/find_ok.hex")
	selectOK, selectFailed := readHexFile(t, "replies/select_ok.hex"), readHexFile(t, "replies/select_failed.hex")
	s := newScript(t,
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectFailed},
		exchange{cmdFind, findOK}, exchange{cmdSelect, selectOK},
		exchange{cmdRead, readHexFile(t, "replies/read_zhang.hex")},
	)
	r := idcard.New(s, quickOpts())
	defer r.Close()
	c, err := r.NextCard(ctxTimeout(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	wantCard(t, c, "zhang")
	s.done()
}

func TestReader_Commands_Scripted(t *testing.T) {
	leakcheck.Check(t)
	s := newScript(t,
		exchange{idcard.EncodeCommand(idcard.CmdSAMStatus, idcard.ParaAll, nil), readHexFile(t, "replies/sam_unauthorised.hex")},
		exchange{cmdFind, readHexFile(t, "replies/no_card.hex")},
		exchange{cmdRead, readHexFile(t, "replies/read_failed.hex")},
		exchange{idcard.EncodeCommand(idcard.CmdRead, idcard.ParaReadAddr, nil), readHexFile(t, "replies/address_li.hex")},
		exchange{idcard.EncodeCommand(idcard.CmdRead, idcard.ParaReadAddr, nil), readHexFile(t, "replies/no_content.hex")},
		exchange{cmdSelect, readHexFile(t, "replies/find_ok.hex")}, // a reply that does not fit
	)
	r := idcard.New(s, quickOpts())
	defer r.Close()
	ctx := ctxTimeout(t, 5*time.Second)
	if err := r.SAMStatus(ctx); !errors.Is(err, idcard.ErrSAM) {
		t.Errorf("SAMStatus: %v, want ErrSAM", err)
	}
	if found, err := r.Find(ctx); found || err != nil {
		t.Errorf("Find with no card = %v, %v; want false, nil", found, err)
	}
	if _, err := r.ReadCard(ctx); !errors.Is(err, idcard.ErrReadFailed) {
		t.Errorf("ReadCard: %v, want ErrReadFailed", err)
	}
	if a, err := r.AppendedAddress(ctx); err != nil || a != preset("li").NewAddress {
		t.Errorf("AppendedAddress = %q, %v", a, err)
	}
	if a, err := r.AppendedAddress(ctx); err != nil || a != "" {
		t.Errorf("AppendedAddress without one = %q, %v; want empty", a, err)
	}
	if err := r.Select(ctx); !errors.Is(err, idcard.ErrStatus) {
		t.Errorf("Select answered with a find reply: %v, want a status error", err)
	}
	s.done()
}

// pipeReader runs a simulated reader on one end of a pipe and a Reader on
// the other.
func pipeReader(t *testing.T, dev *sim.CardReader, opts idcard.Options) *idcard.Reader {
	t.Helper()
	host, device := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		dev.Serve(context.Background(), device)
	}()
	r := idcard.New(host, opts)
	t.Cleanup(func() {
		r.Close()
		device.Close()
		<-done
	})
	return r
}

func TestReader_AgainstSimulator(t *testing.T) {
	tests := []struct {
		name   string
		preset string
		fault  sim.CardFault
		opts   func(*idcard.Options)
		check  func(t *testing.T, c drivers.Card, err error)
	}{
		{"resident card", "zhang", sim.FaultNone, nil, func(t *testing.T, c drivers.Card, err error) {
			if err != nil {
				t.Fatal(err)
			}
			wantCard(t, c, "zhang")
		}},
		{"appended address", "li", sim.FaultNone, func(o *idcard.Options) { o.AppendedAddress = true }, func(t *testing.T, c drivers.Card, err error) {
			if err != nil {
				t.Fatal(err)
			}
			wantCard(t, c, "li")
			if c.NewAddress != preset("li").NewAddress {
				t.Errorf("NewAddress %q", c.NewAddress)
			}
		}},
		{"garbage before every reply is skipped", "zhang", sim.FaultGarbage, nil, func(t *testing.T, c drivers.Card, err error) {
			if err != nil {
				t.Fatal(err)
			}
			wantCard(t, c, "zhang")
		}},
		{"bad checksum", "zhang", sim.FaultBadChecksum, nil, func(t *testing.T, c drivers.Card, err error) {
			if !errors.Is(err, idcard.ErrChecksum) {
				t.Fatalf("got %v, want ErrChecksum", err)
			}
		}},
		{"torn frame", "zhang", sim.FaultTornFrame, nil, func(t *testing.T, c drivers.Card, err error) {
			if !errors.Is(err, idcard.ErrTornFrame) {
				t.Fatalf("got %v, want ErrTornFrame", err)
			}
		}},
		{"read failure", "zhang", sim.FaultReadFailed, nil, func(t *testing.T, c drivers.Card, err error) {
			if !errors.Is(err, idcard.ErrReadFailed) {
				t.Fatalf("got %v, want ErrReadFailed", err)
			}
		}},
		{"silent reader", "zhang", sim.FaultSilent, nil, func(t *testing.T, c drivers.Card, err error) {
			if !errors.Is(err, drivers.ErrTimeout) {
				t.Fatalf("got %v, want ErrTimeout", err)
			}
		}},
		{"foreign card", "foreign", sim.FaultNone, nil, func(t *testing.T, c drivers.Card, err error) {
			if !errors.Is(err, drivers.ErrUnsupportedCard) {
				t.Fatalf("got %v, want ErrUnsupportedCard", err)
			}
		}},
		{"HK/Macau/Taiwan card", "hkmotw", sim.FaultNone, nil, func(t *testing.T, c drivers.Card, err error) {
			if !errors.Is(err, drivers.ErrUnsupportedCard) {
				t.Fatalf("got %v, want ErrUnsupportedCard", err)
			}
		}},
		{"wrong check digit", "badnumber", sim.FaultNone, nil, func(t *testing.T, c drivers.Card, err error) {
			if !errors.Is(err, drivers.ErrInvalidCard) {
				t.Fatalf("got %v, want ErrInvalidCard", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leakcheck.Check(t)
			dev := sim.NewCardReader()
			dev.SetFault(tt.fault)
			if err := dev.InsertPreset(tt.preset); err != nil {
				t.Fatal(err)
			}
			opts := quickOpts()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			r := pipeReader(t, dev, opts)
			c, err := r.NextCard(ctxTimeout(t, 5*time.Second))
			tt.check(t, c, err)
		})
	}
}

func TestReader_NoCardWaitsUntilOneIsPlaced(t *testing.T) {
	leakcheck.Check(t)
	dev := sim.NewCardReader()
	r := pipeReader(t, dev, quickOpts())
	if _, err := r.NextCard(ctxTimeout(t, 100*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no card: %v, want the context's deadline", err)
	}
	dev.InsertPreset("elder")
	c, err := r.NextCard(ctxTimeout(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	wantCard(t, c, "elder")
	// Still on the reader: nothing new.
	if _, err := r.NextCard(ctxTimeout(t, 100*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("card left on the reader: %v, want the context's deadline", err)
	}
	dev.Remove()
	dev.InsertPreset("elder")
	if _, err := r.NextCard(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("card placed again: %v", err)
	}
}

// garbagePort answers every write with the same bytes.
type garbagePort struct {
	reply  []byte
	mu     sync.Mutex
	queue  chan []byte
	closed chan struct{}
	once   sync.Once
}

func newGarbagePort(reply []byte) *garbagePort {
	return &garbagePort{reply: reply, queue: make(chan []byte, 64), closed: make(chan struct{})}
}

func (g *garbagePort) Write(b []byte) (int, error) {
	select {
	case g.queue <- g.reply:
	default:
	}
	return len(b), nil
}

func (g *garbagePort) Read(b []byte) (int, error) {
	select {
	case r := <-g.queue:
		return copy(b, r), nil
	case <-g.closed:
		return 0, io.EOF
	}
}

func (g *garbagePort) Close() error {
	g.once.Do(func() { close(g.closed) })
	return nil
}

func TestReader_GarbageIsAnErrorNotAHang(t *testing.T) {
	leakcheck.Check(t)
	for name, reply := range map[string][]byte{
		"noise":                 []byte("\x00\x01hello world\xff\xfe"),
		"preamble only":         {0xAA, 0xAA, 0xAA, 0x96, 0x69},
		"huge length":           {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF, 0, 0, 0x90},
		"header then nothing":   {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x10, 0, 0, 0x90},
		"1295 bytes, bad sum":   append(readHexFile(t, "replies/read_zhang.hex")[:1294], 0),
		"short read reply":      readHexFile(t, "replies/select_ok.hex"),
		"lengths do not add up": rewriteLengths(t, readHexFile(t, "replies/read_zhang.hex"), 0x0100, 0x0300),
	} {
		t.Run(name, func(t *testing.T) {
			p := newGarbagePort(reply)
			opts := quickOpts()
			opts.ReplyTimeout = 50 * time.Millisecond
			r := idcard.New(p, opts)
			defer r.Close()
			_, err := r.ReadCard(ctxTimeout(t, 5*time.Second))
			if err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want a device error", err)
			}
		})
	}
}

// rewriteLengths sets the text and photo lengths of a read reply and
// fixes its checksum.
func rewriteLengths(t *testing.T, f []byte, text, photo int) []byte {
	f[10], f[11], f[12], f[13] = byte(text>>8), byte(text), byte(photo>>8), byte(photo)
	var x byte
	for _, c := range f[5 : len(f)-1] {
		x ^= c
	}
	f[len(f)-1] = x
	return f
}

func TestReader_CloseEndsEverythingAndIsIdempotent(t *testing.T) {
	leakcheck.Check(t)
	dev := sim.NewCardReader()
	host, device := net.Pipe()
	served := make(chan struct{})
	go func() { defer close(served); dev.Serve(context.Background(), device) }()
	r := idcard.New(host, quickOpts())
	errc := make(chan error, 1)
	go func() { _, err := r.NextCard(context.Background()); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	r.Close()
	r.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, drivers.ErrClosed) {
			t.Errorf("NextCard after Close: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("NextCard did not return after Close")
	}
	if _, err := r.Find(context.Background()); !errors.Is(err, drivers.ErrClosed) {
		t.Errorf("Find after Close: %v, want ErrClosed", err)
	}
	<-served
}

func TestReader_PortEOFIsFinal(t *testing.T) {
	leakcheck.Check(t)
	s := newScript(t)
	r := idcard.New(s, quickOpts())
	defer r.Close()
	s.Close() // the port's Read now returns io.EOF
	time.Sleep(10 * time.Millisecond)
	_, err := r.NextCard(ctxTimeout(t, 5*time.Second))
	if !errors.Is(err, drivers.ErrClosed) || !errors.Is(err, io.EOF) {
		t.Fatalf("got %v, want ErrClosed wrapping io.EOF", err)
	}
}

// FuzzReader: whatever a device answers, the Reader returns (a card or an
// error) within its reply timeout, and never panics.
func FuzzReader(f *testing.F) {
	f.Add(readHexFile(f, "replies/find_ok.hex"))
	f.Add(readHexFile(f, "replies/read_zhang.hex"))
	f.Add(readHexFile(f, "replies/no_card.hex"))
	f.Add([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x05, 0x08})
	f.Fuzz(func(t *testing.T, reply []byte) {
		p := newGarbagePort(reply)
		r := idcard.New(p, idcard.Options{ReplyTimeout: 5 * time.Millisecond, PollInterval: time.Millisecond, Now: func() time.Time { return today }})
		defer r.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r.Find(ctx)
		r.ReadCard(ctx)
		r.AppendedAddress(ctx)
		if ctx.Err() != nil {
			t.Fatal("the reader hung")
		}
	})
}

// A caller that retries at once after every error must not make the
// driver flood the reader: polls stay PollInterval apart.
func TestReader_NextCard_ErrorsDoNotMakeItSpin(t *testing.T) {
	leakcheck.Check(t)
	bad := readHexFile(t, "replies/find_ok.hex")
	bad[len(bad)-1] ^= 0xFF
	p := newGarbagePort(bad)
	opts := quickOpts()
	opts.PollInterval = 100 * time.Millisecond
	r := idcard.New(p, opts)
	defer r.Close()
	ctx := ctxTimeout(t, 500*time.Millisecond)
	errs := 0
	for ctx.Err() == nil {
		if _, err := r.NextCard(ctx); errors.Is(err, idcard.ErrChecksum) {
			errs++
		}
	}
	// At most one poll per 100 ms in 500 ms (a slow machine polls less;
	// without pacing it would be thousands).
	if errs == 0 || errs > 6 {
		t.Fatalf("%d polls failed in 500 ms with a 100 ms poll interval, want 1 to 6", errs)
	}
}
