// Command platformsim is the reference province/city platform for tests and demos: it receives
// the hall's signed sync batches (backend/SCHEMA.md), stores what it applied (in memory and, with
// -journal, as JSON lines), drops repeated idempotency keys, checks the order per case, and can
// be told to fail, hang or answer slowly. It can also post "licence ready" for a case it received.
//
//	platformsim -addr :9090 -secret-file platform.secret -hall http://127.0.0.1:8080 [-journal sync.jsonl] [-mode ok|fail|timeout|slow -delay 2s]
//
// Point the hall at it with queueserver -platform-url http://127.0.0.1:9090/sync
// -platform-secret-file platform.secret (the same file: hex, at least 16 bytes).
//
//	GET  /deliveries                       what arrived, with counters
//	POST /mode?mode=fail                   fail (503), timeout (hang), slow (&delay=2s) or ok
//	POST /licence {"caseId":"…","title":"…"}  make the case's licence and post it to the hall
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"hall/queueserver/backend"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "platformsim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("platformsim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	secretFile := fs.String("secret-file", "", "file with the shared HMAC secret (hex)")
	hallURL := fs.String("hall", "http://127.0.0.1:8080", "the hall server, for licence notices")
	journal := fs.String("journal", "", "append every applied delivery to this file (JSON lines)")
	mode := fs.String("mode", "ok", "start mode: ok, fail, timeout or slow")
	delay := fs.Duration("delay", time.Second, "delay of the slow mode")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *secretFile == "" {
		return errors.New("-secret-file is required")
	}
	b, err := os.ReadFile(*secretFile)
	if err != nil {
		return err
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(secret) < 16 {
		return fmt.Errorf("%s: want at least 16 bytes as hex", *secretFile)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	r := &backend.Receiver{Secret: secret, OnApply: func(d backend.Received) {
		log.Info("applied", "key", d.IdempotencyKey, "type", d.Type, "case", d.CaseID)
	}}
	if *journal != "" {
		f, err := os.OpenFile(*journal, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		r.Journal = f
	}
	switch m := backend.ReceiverMode(*mode); m {
	case backend.ModeOK, backend.ModeFail, backend.ModeTimeout, backend.ModeSlow:
		r.SetMode(m, *delay)
	default:
		return fmt.Errorf("unknown -mode %q", *mode)
	}
	srv := &http.Server{Addr: *addr, Handler: &backend.ReceiverMux{R: r, HallURL: *hallURL}, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		r.SetMode(backend.ModeOK, 0) // free held requests
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	log.Info("platformsim listening", "addr", *addr, "sync", backend.ReceiverSyncPath, "mode", *mode)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
