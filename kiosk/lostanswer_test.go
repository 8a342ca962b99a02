package kiosk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"hall/queueserver/httpapi"
)

// dropProxy stands between the kiosk and the server: it lets the first ticket request reach the
// server but drops the answer, then cuts every connection for a while (the hall network going
// down just after the server committed), then works again.
type dropProxy struct {
	next     *httputil.ReverseProxy
	target   *url.URL
	blackout time.Duration

	mu      sync.Mutex
	dropped bool
	until   time.Time
}

func (p *dropProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	first := !p.dropped && r.Method == http.MethodPost && r.URL.Path == "/api/v1/tickets"
	if first {
		p.dropped = true
	}
	cut := time.Now().Before(p.until)
	p.mu.Unlock()
	switch {
	case first:
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host, out.RequestURI = p.target.Scheme, p.target.Host, ""
		if resp, err := http.DefaultTransport.RoundTrip(out); err == nil {
			resp.Body.Close() // the server issued the ticket; its answer is lost
		}
		p.mu.Lock()
		p.until = time.Now().Add(p.blackout)
		p.mu.Unlock()
		hangUp(w)
	case cut:
		hangUp(w)
	default:
		p.next.ServeHTTP(w, r)
	}
}

func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// A ticket issued by the server whose answer never reached the kiosk, with the network down for
// longer than the client's own retries, is shown once the server answers again — the same ticket,
// not a second one — and printed once.
func TestKiosk_LostAnswerIsRetriedWithTheSameKey(t *testing.T) {
	srv := startServer(t)
	target, _ := url.Parse(srv.url)
	proxy := &dropProxy{next: httputil.NewSingleHostReverseProxy(target), target: target, blackout: 2500 * time.Millisecond}
	front := httptest.NewServer(proxy)
	defer front.Close()
	r := newRig(t, srv, func(o *Options) { o.Client = httpapi.NewClient(front.URL, nil).WithToken(srv.token) })

	r.tap("社保")
	r.waitScreen(ScreenTicket)
	var res Issued
	r.do(func() { res = r.k.LastIssued() })
	if res.Ticket.Code != "A001" || !res.Printed {
		t.Fatalf("issued %+v", res)
	}
	if n := len(r.dev.PrinterSim.Receipts()); n != 1 {
		t.Fatalf("%d receipts, want 1", n)
	}
	svc, err := srv.admin.Service(context.Background(), "shebao")
	if err != nil {
		t.Fatal(err)
	}
	if svc.Availability.Waiting != 1 || svc.Availability.IssuedToday != 1 {
		t.Fatalf("the server has %d waiting, %d issued; want the one ticket", svc.Availability.Waiting, svc.Availability.IssuedToday)
	}
}
