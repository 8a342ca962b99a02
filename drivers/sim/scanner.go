package sim

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
)

// Scanner simulates a barcode/QR scanner in serial mode: every code is sent
// as its text followed by a suffix (CR by default, or CR LF). The scanner
// ignores what the host sends.
//
// Codes scanned while no Serve runs wait (up to 64) and are sent when Serve
// starts. All methods are safe for concurrent use.
type Scanner struct {
	queue chan []byte

	// mu guards the fields below.
	mu     sync.Mutex
	suffix string
	sent   int
	last   string
}

// ErrScanQueueFull is returned by Scan when 64 codes are already waiting.
var ErrScanQueueFull = errors.New("sim: scanner queue full")

// NewScanner returns a scanner that ends codes with CR.
func NewScanner() *Scanner {
	return &Scanner{queue: make(chan []byte, 64), suffix: "\r"}
}

// SetSuffix sets what follows each code: "\r", "\r\n" or "\n" (others are
// allowed, for tests of odd scanners).
func (s *Scanner) SetSuffix(suffix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.suffix = suffix
}

// Scan sends code as a scan. Errors: code contains CR or LF (use ScanRaw
// for that); ErrScanQueueFull.
func (s *Scanner) Scan(code string) error {
	if strings.ContainsAny(code, "\r\n") {
		return errors.New("sim: a scanned code cannot contain CR or LF")
	}
	s.mu.Lock()
	b := []byte(code + s.suffix)
	s.mu.Unlock()
	return s.ScanRaw(b)
}

// ScanRaw sends b exactly as given (no suffix): garbage, over-long lines.
// Errors: ErrScanQueueFull.
func (s *Scanner) ScanRaw(b []byte) error {
	select {
	case s.queue <- append([]byte(nil), b...):
		return nil
	default:
		return ErrScanQueueFull
	}
}

// ScannerState is a snapshot of the simulated scanner.
type ScannerState struct {
	Sent    int    `json:"sent"`    // writes completed
	Last    string `json:"last"`    // the last bytes sent, as text
	Waiting int    `json:"waiting"` // scans not sent yet
}

// State returns a snapshot.
func (s *Scanner) State() ScannerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ScannerState{Sent: s.sent, Last: s.last, Waiting: len(s.queue)}
}

// Serve implements Device. A scan whose write fails is lost, as it would
// be with a real scanner pulled out.
func (s *Scanner) Serve(ctx context.Context, port io.ReadWriter) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b := <-s.queue:
			if _, err := port.Write(b); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return err
			}
			s.mu.Lock()
			s.sent++
			s.last = string(b)
			s.mu.Unlock()
		}
	}
}
