//go:build linux

// Command hallload is the queue server's load benchmark: K simulated kiosks issue tickets, then M
// counters call while S websocket subscribers listen. It prints tickets/s, request latency
// p50/p99, and the latency from a call to its delivery at every subscriber (p50/p99/max).
//
//	hallload -server bin/queueserver            # start a demo server in a temp dir and load it
//	hallload -url http://hall:8080 -password …  # load a running server (admin account needed)
//
//	hallload -floor                             # the same delivery without a server: the floor
//
// It creates its own services (prefixes QA…), counters (9xx) and clerks through the admin API,
// so it never touches the hall's real ones; run it against a test server only. The load
// generator runs on the same machine as the server: the figures include its cost. That is why
// the kiosks speak HTTP/1.1 on keep-alive connections of their own (kiosk.go) rather than
// through net/http's client: the same requests and checks, at a fraction of the CPU.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"hall"
	"hall/queueserver/httpapi"
)

type options struct {
	url, server, admin, password  string
	serverArgs                    []string
	kiosks, counters, subscribers int
	services                      int
	issueFor                      time.Duration
	calls                         int
	callRate                      float64
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "base URL of a running server (else -server starts one)")
	flag.StringVar(&o.server, "server", "", "queueserver binary to start with -demo in a temp dir")
	flag.StringVar(&o.admin, "admin", "admin", "admin staff number")
	flag.StringVar(&o.password, "password", "admin123", "admin password (the demo's by default)")
	flag.IntVar(&o.kiosks, "kiosks", 64, "K: concurrent kiosks issuing tickets")
	flag.DurationVar(&o.issueFor, "issue-for", 10*time.Second, "how long the kiosks issue")
	flag.IntVar(&o.services, "services", 8, "services the kiosks issue for")
	flag.IntVar(&o.counters, "counters", 8, "M: counters calling")
	flag.IntVar(&o.subscribers, "subscribers", 1000, "S: websocket subscribers")
	flag.IntVar(&o.calls, "calls", 1000, "calls to make in the delivery phase")
	flag.Float64Var(&o.callRate, "call-rate", 50, "calls per second across all counters in the delivery phase")
	flag.Func("server-arg", "an extra argument for the -server binary (repeatable), e.g. -server-arg=-fanout-workers=2", func(v string) error {
		o.serverArgs = append(o.serverArgs, v)
		return nil
	})
	floor := flag.Bool("floor", false, "measure the floor instead: a bare publisher writes the delivery phase's calls to S subscribers (see floor.go)")
	serveFloor := flag.Bool("floor-serve", false, "be the floor's publisher (started by -floor)")
	cpuprofile := flag.String("cpuprofile", "", "write hallload's own CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hallload:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	runner := run
	switch {
	case *serveFloor:
		runner = floorServe
	case *floor:
		runner = floorPhase
	}
	if err := runner(o); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "hallload:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	if o.url == "" {
		if o.server == "" {
			return errors.New("give -url of a running server or -server to start one")
		}
		url, stop, err := startServer(o.server, o.serverArgs)
		if err != nil {
			return err
		}
		defer stop()
		o.url = url
	}
	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	public := httpapi.NewClient(o.url, &http.Client{Transport: transport, Timeout: 30 * time.Second})
	login, err := public.Login(ctx, o.admin, o.password)
	if err != nil {
		return fmt.Errorf("admin login: %w", err)
	}
	admin := public.WithToken(login.Token)
	setup, err := prepare(ctx, admin, public, o)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	fmt.Printf("hallload: %s — %d kiosks for %s, then %d subscribers, %d counters, %d calls at %.0f/s\n",
		o.url, o.kiosks, o.issueFor, o.subscribers, o.counters, o.calls, o.callRate)
	if err := issuePhase(ctx, setup, o); err != nil {
		return err
	}
	return deliveryPhase(ctx, setup, o)
}

// startServer runs the binary with a fresh demo hall and waits for /healthz.
func startServer(bin string, extra []string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "hallload-")
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, append([]string{"-demo", "-data", dir, "-addr", addr, "-log-level", "warn"}, extra...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		logf.Close()
		os.RemoveAll(dir)
	}
	url := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url, stop, nil
			}
		}
	}
	stop()
	return "", nil, errors.New("the server did not become healthy (see its log)")
}

type setup struct {
	url      string
	services []string
	kiosk    *httpapi.Client
	kioskTok string
	screen   string // screen device token
	clerks   []*httpapi.Client
	counters []string
}

// prepare creates the load services, counters, clerks, a kiosk and a screen through the API.
func prepare(ctx context.Context, admin, public *httpapi.Client, o options) (*setup, error) {
	s := &setup{url: o.url}
	areas, err := admin.Areas(ctx)
	if err != nil || len(areas) == 0 {
		return nil, fmt.Errorf("the hall needs an area: %v", err)
	}
	area := areas[0].ID
	var cs []hall.CounterService
	for i := range o.services {
		id := fmt.Sprintf("load-%d", i)
		svc := hall.Service{ID: id, Name: fmt.Sprintf("压测事项 %d", i), AreaID: area, Prefix: "Q" + string(rune('A'+i%26)),
			NumberFrom: 1, NumberTo: 99999, Digits: 5, AverageService: 5 * time.Minute}
		if err := admin.PutService(ctx, svc); err != nil {
			return nil, err
		}
		s.services = append(s.services, id)
		cs = append(cs, hall.CounterService{ServiceID: id})
	}
	const password = "load-password"
	for i := range o.counters {
		id, staffID := fmt.Sprintf("load-c%02d", i), fmt.Sprintf("load-s%02d", i)
		c, err := admin.Counter(ctx, id)
		if err != nil && !httpapi.IsCode(err, hall.ENOTFOUND) {
			return nil, err
		}
		if c.State == "" || c.State == hall.CounterLoggedOut {
			if _, err := admin.PutCounter(ctx, hall.Counter{ID: id, Number: 900 + i, AreaID: area, Services: cs}); err != nil {
				return nil, err
			}
		}
		if _, err := admin.PutStaff(ctx, staffID, httpapi.StaffRequest{Name: "压测", Role: hall.RoleClerk, Password: password}); err != nil {
			return nil, err
		}
		l, err := public.Login(ctx, staffID, password)
		if err != nil {
			return nil, err
		}
		clerk := public.WithToken(l.Token)
		if _, err := clerk.CounterLogin(ctx, id); err != nil {
			return nil, err
		}
		// A counter left busy by an earlier run finishes its ticket first.
		if c, _ := clerk.Counter(ctx, id); c.State == hall.CounterServing {
			clerk.Finish(ctx, id)
		}
		s.clerks, s.counters = append(s.clerks, clerk), append(s.counters, id)
	}
	k, err := admin.EnrolDevice(ctx, httpapi.DeviceRequest{ID: "load-kiosk", Name: "压测取号机", Kind: hall.DeviceKiosk})
	if err != nil {
		return nil, err
	}
	s.kiosk, s.kioskTok = public.WithToken(k.Token), k.Token
	sc, err := admin.EnrolDevice(ctx, httpapi.DeviceRequest{ID: "load-screen", Name: "压测屏", Kind: hall.DeviceScreen})
	if err != nil {
		return nil, err
	}
	s.screen = sc.Token
	return s, nil
}

// issuePhase runs K kiosks issuing as fast as they can for o.issueFor.
func issuePhase(ctx context.Context, s *setup, o options) error {
	lat := make([][]time.Duration, o.kiosks)
	var failures atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(o.issueFor)
	var wg sync.WaitGroup
	commits0, steps0 := storeStats(s.url)
	start := time.Now()
	for k := range o.kiosks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(k), 1))
			kiosk, err := newRawKiosk(s.url, s.kioskTok, uint64(k))
			if err != nil {
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			defer kiosk.close()
			for time.Now().Before(deadline) {
				svc := s.services[rng.IntN(len(s.services))]
				t0 := time.Now()
				err := kiosk.issue(svc)
				lat[k] = append(lat[k], time.Since(t0))
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	ok := int64(len(all)) - failures.Load()
	fmt.Printf("\nissue: %d tickets in %s by %d kiosks: %.0f tickets/s; request p50 %s p99 %s max %s; failures %d\n",
		ok, elapsed.Round(time.Millisecond), o.kiosks, float64(ok)/elapsed.Seconds(), pct(all, 50), pct(all, 99), pct(all, 100), failures.Load())
	if commits, steps := storeStats(s.url); commits > commits0 {
		fmt.Printf("  store: %.1f steps per commit\n", (steps-steps0)/(commits-commits0))
	}
	if e := firstErr.Load(); e != nil {
		fmt.Printf("  first failure: %s\n", e)
		return fmt.Errorf("%d ticket issues failed", failures.Load())
	}
	return nil
}

// storeStats reads the store's commit and step counters from /metrics (zeros if unreadable).
func storeStats(url string) (commits, steps float64) {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "hall_store_commits_total":
			commits, _ = strconv.ParseFloat(value, 64)
		case "hall_store_steps_total":
			steps, _ = strconv.ParseFloat(value, 64)
		}
	}
	return commits, steps
}

var (
	calledType    = []byte(`"type":"` + string(hall.EventTicketCalled) + `"`)
	seqField      = []byte(`{"seq":`)
	ticketIDField = []byte(`"ticket":{"id":"`)
	atField       = []byte(`"at":"`)
)

// fieldUint reads the unsigned number that follows prefix in b.
func fieldUint(b, prefix []byte) (uint64, bool) {
	i := bytes.Index(b, prefix)
	if i < 0 {
		return 0, false
	}
	b = b[i+len(prefix):]
	var n uint64
	digits := 0
	for ; digits < len(b) && b[digits] >= '0' && b[digits] <= '9'; digits++ {
		n = n*10 + uint64(b[digits]-'0')
	}
	return n, digits > 0
}

// fieldString reads the JSON string (without escapes) that follows prefix in b.
func fieldString(b, prefix []byte) (string, bool) {
	i := bytes.Index(b, prefix)
	if i < 0 {
		return "", false
	}
	b = b[i+len(prefix):]
	j := bytes.IndexAny(b, `"\`)
	if j <= 0 || b[j] != '"' {
		return "", false
	}
	return string(b[:j]), true
}

// received is one subscriber's record of a called ticket: when it arrived, and (first
// subscriber only) the time the server's store stamped on the call.
type received struct {
	ticket string
	at     time.Time
	step   time.Time
}

// deliveryPhase connects S subscribers, makes calls at o.callRate across the counters, and
// measures call → delivery at every subscriber.
func deliveryPhase(ctx context.Context, s *setup, o options) error {
	wsURL := "ws" + strings.TrimPrefix(strings.TrimRight(s.url, "/"), "http") + "/api/v1/events?since="
	h := http.Header{"Authorization": {"Bearer " + s.screen}}
	var dropped, disorder atomic.Int64
	lastSeq, err := lastSeqOf(s)
	if err != nil {
		return err
	}
	ls, err := newListeners(&dropped, &disorder)
	if err != nil {
		return err
	}
	for i := range o.subscribers {
		c, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL+fmt.Sprint(lastSeq), h)
		if err != nil {
			return fmt.Errorf("subscriber %d: %w", i, err)
		}
		if err := ls.add(c, lastSeq+1); err != nil {
			return fmt.Errorf("subscriber %d: %w", i, err)
		}
	}
	go ls.run()
	time.Sleep(500 * time.Millisecond) // let every subscription register

	type call struct {
		ticket string
		start  time.Time
		took   time.Duration
	}
	calls := make(chan call, o.calls)
	var failures atomic.Int64
	interval := time.Duration(float64(time.Second) * float64(len(s.counters)) / o.callRate)
	var cwg sync.WaitGroup
	var made atomic.Int64
	for i, id := range s.counters {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			// Counters take turns: counter i starts i/M of an interval after the first, and
			// its ticker starts then, so that the calls are spread evenly over time.
			time.Sleep(time.Duration(i) * interval / time.Duration(len(s.counters)))
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for made.Add(1) <= int64(o.calls) {
				t0 := time.Now()
				t, err := s.clerks[i].CallNext(ctx, id, false)
				took := time.Since(t0)
				if err != nil {
					failures.Add(1)
				} else {
					calls <- call{t.ID, t0, took}
					s.clerks[i].Finish(ctx, id)
				}
				<-tick.C
			}
		}()
	}
	cwg.Wait()
	close(calls)
	time.Sleep(time.Second) // let the last deliveries arrive
	subs := ls.finish()

	byTicket := map[string]time.Time{}
	var callLat []time.Duration
	for c := range calls {
		byTicket[c.ticket] = c.start
		callLat = append(callLat, c.took)
	}
	var each []time.Duration
	for _, rs := range subs {
		for _, r := range rs {
			if start, ok := byTicket[r.ticket]; ok {
				each = append(each, r.at.Sub(start))
			}
		}
	}
	got, lastAt, stepAt := tally(subs)
	var all, toStep, fromStep []time.Duration
	missing := 0
	for id, start := range byTicket {
		if got[id] != o.subscribers {
			missing += o.subscribers - got[id]
			continue
		}
		all = append(all, lastAt[id].Sub(start))
		if at := stepAt[id]; !at.IsZero() {
			toStep = append(toStep, at.Sub(start))
			fromStep = append(fromStep, lastAt[id].Sub(at))
		}
	}
	fmt.Printf("\ncalls: %d calls by %d counters (%.0f/s planned), request p50 %s p99 %s; failures %d\n",
		len(byTicket), len(s.counters), o.callRate, pct(callLat, 50), pct(callLat, 99), failures.Load())
	fmt.Printf("call → each subscriber delivery (%d deliveries to %d subscribers): p50 %s p99 %s max %s\n",
		len(each), o.subscribers, pct(each, 50), pct(each, 99), pct(each, 100))
	fmt.Printf("call → ALL subscribers (per call, the last delivery): p50 %s p99 %s max %s\n", pct(all, 50), pct(all, 99), pct(all, 100))
	fmt.Printf("  of which: request sent → the store's step p50 %s p99 %s; step → the last delivery p50 %s p99 %s\n",
		pct(toStep, 50), pct(toStep, 99), pct(fromStep, 50), pct(fromStep, 99))
	fmt.Printf("missing deliveries %d, subscribers dropped for falling behind %d, messages out of order or malformed %d\n",
		missing, dropped.Load(), disorder.Load())
	return lost(failures.Load(), missing, dropped.Load(), disorder.Load())
}

// tally counts, per called ticket, the subscribers that received it and when the last one did,
// and the step time the first subscriber read off it.
func tally(subs [][]received) (got map[string]int, lastAt, stepAt map[string]time.Time) {
	got, lastAt, stepAt = map[string]int{}, map[string]time.Time{}, map[string]time.Time{}
	for i, rs := range subs {
		for _, r := range rs {
			got[r.ticket]++
			if r.at.After(lastAt[r.ticket]) {
				lastAt[r.ticket] = r.at
			}
			if i == 0 {
				stepAt[r.ticket] = r.step
			}
		}
	}
	return got, lastAt, stepAt
}

// lost is the run's verdict: a benchmark that lost, doubled or disordered anything failed,
// whatever its speed.
func lost(failures int64, missing int, dropped, disorder int64) error {
	if failures > 0 || missing > 0 || dropped > 0 || disorder > 0 {
		return fmt.Errorf("%d calls failed, %d deliveries missing, %d subscribers dropped, %d messages out of order or malformed",
			failures, missing, dropped, disorder)
	}
	return nil
}

func lastSeqOf(s *setup) (uint64, error) {
	resp, err := http.Get(s.url + "/healthz")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var h struct {
		LastSeq uint64 `json:"lastSeq"`
	}
	return h.LastSeq, json.NewDecoder(resp.Body).Decode(&h)
}

// pct returns the p-th percentile (100 = max) of ds.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return s[i].Round(10 * time.Microsecond)
}
