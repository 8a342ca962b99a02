// Package cups prints PDFs on an A4 printer through CUPS (the kiosk's licence printer). It
// drives the CUPS command-line clients lp and lpstat (Debian's cups-client), the one outside
// dependency of this package, so the kiosk needs no cgo and no IPP library.
//
// Concurrency: a Printer is safe for concurrent use; each call runs its own commands.
package cups

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Printer is one CUPS queue.
type Printer struct {
	// Queue is the CUPS destination (printer name).
	Queue string
	// Server is the CUPS server "host:port" ("" for the local default).
	Server string
	// Media is the paper (default "A4").
	Media string
	// PollEvery is how often Wait asks CUPS about a job (default 200 ms).
	PollEvery time.Duration
}

// ErrNotReady is returned (wrapped) when the queue does not exist, is disabled or rejects jobs.
var ErrNotReady = errors.New("cups: the printer is not ready")

func (p *Printer) args(args ...string) []string {
	if p.Server != "" {
		return append([]string{"-h", p.Server}, args...)
	}
	return args
}

func run(ctx context.Context, stdin []byte, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("cups: %s: %w: %s", name, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Ready reports nil when the queue exists, is enabled and accepts jobs.
func (p *Printer) Ready(ctx context.Context) error {
	out, err := run(ctx, nil, "lpstat", p.args("-p", p.Queue, "-a", p.Queue)...)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotReady, err)
	}
	if strings.Contains(out, "disabled") || strings.Contains(out, "not accepting") {
		return fmt.Errorf("%w: %s", ErrNotReady, strings.TrimSpace(out))
	}
	return nil
}

var requestID = regexp.MustCompile(`request id is (\S+)`)

// Print submits pdf as one job titled title and returns the CUPS job id ("Queue-12").
func (p *Printer) Print(ctx context.Context, title string, pdf []byte) (string, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return "", errors.New("cups: not a PDF")
	}
	media := p.Media
	if media == "" {
		media = "A4"
	}
	out, err := run(ctx, pdf, "lp", p.args("-d", p.Queue, "-t", title, "-o", "media="+media, "-o", "fit-to-page", "-")...)
	if err != nil {
		return "", err
	}
	m := requestID.FindStringSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("cups: lp answered %q", strings.TrimSpace(out))
	}
	return m[1], nil
}

// Wait waits until job has left the queue and reports nil if CUPS completed it, or an error if
// it was cancelled or aborted (or ctx ended first).
func (p *Printer) Wait(ctx context.Context, job string) error {
	every := p.PollEvery
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	for {
		pending, err := run(ctx, nil, "lpstat", p.args("-W", "not-completed", "-o", p.Queue)...)
		if err != nil {
			return err
		}
		if !hasJob(pending, job) {
			done, err := run(ctx, nil, "lpstat", p.args("-W", "completed", "-l", "-o", p.Queue)...)
			if err != nil {
				return err
			}
			if !hasJob(done, job) {
				return fmt.Errorf("cups: job %s vanished", job)
			}
			if st := jobBlock(done, job); strings.Contains(st, "cancel") || strings.Contains(st, "abort") {
				return fmt.Errorf("cups: job %s did not print: %s", job, strings.TrimSpace(st))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}

// hasJob reports whether an lpstat -o listing has a line for job.
func hasJob(listing, job string) bool {
	for _, line := range strings.Split(listing, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == job {
			return true
		}
	}
	return false
}

// jobBlock returns the lines of an lpstat -l listing that belong to job (lower case).
func jobBlock(listing, job string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.Split(listing, "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			in = f[0] == job
		}
		if in {
			b.WriteString(strings.ToLower(line) + "\n")
		}
	}
	return b.String()
}
