//go:build linux

// Command devicesim is the hall's virtual hardware: it opens virtual serial
// ports (ptys) for a whole kiosk set (ID card reader, scanner, receipt
// printer) and a counter set (LED window sign, rating pad, scanner),
// prints their paths, and lets a person act on the devices from its
// console and from a small HTTP control on the loopback interface.
//
// Usage:
//
//	go run ./drivers/sim/cmd/devicesim [-dir /tmp/hall-devices] [-http 127.0.0.1:8765] [-read-delay 300ms]
//
// Point the kiosk and counter (or any driver) at the printed paths; they
// are stable symbolic links, also across "unplug"/"replug". Type "help" at
// the console for the commands. The HTTP control accepts the same commands
// and a few shortcuts:
//
//	POST /cmd      body: one console command, answered with its output (text)
//	POST /card     {"preset":"zhang"} places a card, {"remove":true} lifts it
//	POST /scan     {"code":"HALL-A001-7","scanner":"kiosk"|"counter"}
//	POST /rate     {"level":1}
//	POST /printer  {"paper":"out"|"low"|"ok","cover":"open"|"close"}
//	POST /unplug, /replug  {"port":"kiosk-idcard"}
//	GET  /state    everything as JSON
//	GET  /receipt.png  the last printed receipt as the printer would print it
//
// for example: curl -d '{"preset":"zhang"}' http://127.0.0.1:8765/card
//
// The control listens on loopback addresses only and refuses requests from
// elsewhere. devicesim stops on "quit", Ctrl-D on an interactive console,
// SIGINT or SIGTERM; it removes its links on the way out. When its input is
// not a terminal and runs out (/dev/null, a finished script), it keeps
// serving. Run it in the background of a shell with -console=false.
//
// Linux only (ptys). Device protocols: DEVICES.md and
// drivers/lineproto/PROTOCOL.md.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "devicesim:", err)
		os.Exit(1)
	}
}

// run parses flags, opens the devices, serves the control and the console
// until ctx ends or the console says quit.
func run(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("devicesim", flag.ContinueOnError)
	fs.SetOutput(out)
	dir := fs.String("dir", filepath.Join(os.TempDir(), "hall-devices"), "directory for the port links")
	addr := fs.String("http", "127.0.0.1:8765", "loopback address of the HTTP control (empty: none)")
	delay := fs.Duration("read-delay", defaultDelay, "how long reading an ID card takes")
	console := fs.Bool("console", true, "read commands from standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := openHall(*dir, *delay)
	if err != nil {
		return err
	}
	defer h.Close()
	fmt.Fprintf(out, "devicesim: virtual hall devices\n%s", h.portsText())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *addr != "" {
		ln, err := listenLoopback(*addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: h.handler(), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		fmt.Fprintf(out, "HTTP control on http://%s (GET /state, POST /cmd, /card, /scan, /rate, ...)\n", ln.Addr())
	}
	if *console {
		fmt.Fprintln(out, `type "help" for the commands`)
		go func() {
			if readConsole(h, in, out) || isTerminal(in) {
				cancel()
				return
			}
			fmt.Fprintln(out, "devicesim: console input ended; still serving (stop with SIGINT or SIGTERM)")
		}()
	}
	<-ctx.Done()
	fmt.Fprintln(out, "devicesim: closing the ports")
	return nil
}

// readConsole runs commands from in until quit (it returns true) or end of
// input (false).
func readConsole(h *hall, in io.Reader, out io.Writer) (quit bool) {
	sc := bufio.NewScanner(in)
	fmt.Fprint(out, "> ")
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "quit" || line == "exit" {
			return true
		}
		res, err := h.exec(line)
		if err != nil {
			fmt.Fprintln(out, "error:", err)
		} else if res != "" {
			fmt.Fprintln(out, res)
		}
		fmt.Fprint(out, "> ")
	}
	return false
}

// isTerminal reports whether r is a terminal: end of input there (Ctrl-D)
// means stop, while a script or /dev/null running out does not.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// listenLoopback listens on addr, which must be a loopback address.
//
// Errors: addr is malformed or not loopback (e.g. ":8765" or 0.0.0.0), or
// the listen fails.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return nil, errors.New("the HTTP control listens on loopback addresses only (127.0.0.1, ::1, localhost)")
		}
	}
	return net.Listen("tcp", addr)
}
