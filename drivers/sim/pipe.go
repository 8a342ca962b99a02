package sim

import (
	"context"
	"io"
	"net"
	"sync"
)

// Pipe connects a driver to a simulated device without a serial port (the
// kiosk's and counter's -sim mode, and tests): it starts dev.Serve on one
// end of an in-memory pipe and returns the other end for the driver.
//
// Closing the returned port stops the device and waits for its Serve to
// return; Close is idempotent. Reads and writes on a closed port fail with
// io.ErrClosedPipe, which drivers treat as final.
func Pipe(dev Device) io.ReadWriteCloser {
	host, device := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	p := &pipePort{Conn: host, device: device, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		dev.Serve(ctx, device)
	}()
	return p
}

type pipePort struct {
	net.Conn
	device net.Conn
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (p *pipePort) Close() error {
	var err error
	p.once.Do(func() {
		p.cancel()
		err = p.Conn.Close()
		p.device.Close()
		<-p.done
	})
	return err
}
