package playback

import (
	"bytes"
	"encoding/hex"
	"io"
	"sync"
)

// Recorder wraps a port and records the bytes written to it (host to device) and read from it
// (device to host), for golden transcripts. It is safe for one reader and any writers.
type Recorder struct {
	Port io.ReadWriteCloser

	// mu guards sent and received.
	mu       sync.Mutex
	sent     bytes.Buffer
	received bytes.Buffer
}

// Write writes to the wrapped port and records what was written.
func (r *Recorder) Write(b []byte) (int, error) {
	n, err := r.Port.Write(b)
	r.mu.Lock()
	r.sent.Write(b[:n])
	r.mu.Unlock()
	return n, err
}

// Read reads from the wrapped port and records what was read.
func (r *Recorder) Read(b []byte) (int, error) {
	n, err := r.Port.Read(b)
	r.mu.Lock()
	r.received.Write(b[:n])
	r.mu.Unlock()
	return n, err
}

// Close closes the wrapped port.
func (r *Recorder) Close() error { return r.Port.Close() }

// Take returns the transcript recorded since the last Take and starts a new one: the host's
// bytes and then the device's, each as a hex dump.
func (r *Recorder) Take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := "host:\n" + hex.Dump(r.sent.Bytes()) + "device:\n" + hex.Dump(r.received.Bytes())
	r.sent.Reset()
	r.received.Reset()
	return s
}
