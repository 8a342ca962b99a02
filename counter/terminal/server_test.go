package terminal

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"hall/queueserver/httpapi"
)

// serverBin is the real queueserver, built once for the package's tests.
var serverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "counter-test")
	if err != nil {
		panic(err)
	}
	serverBin = filepath.Join(dir, "queueserver")
	cmd := exec.Command("go", "build", "-o", serverBin, "hall/queueserver")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build queueserver: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hallServer is a real `queueserver -demo` process on a fixed port and data directory, so it
// can be stopped and started again as after a crash or a restart.
type hallServer struct {
	t    *testing.T
	addr string
	dir  string
	cmd  *exec.Cmd
	args []string // extra flags
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startHall(t *testing.T, args ...string) *hallServer {
	h := &hallServer{t: t, addr: freeAddr(t), dir: t.TempDir(), args: args}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *hallServer) url() string { return "http://" + h.addr }

func (h *hallServer) start() {
	h.t.Helper()
	h.cmd = exec.Command(serverBin, append([]string{"-demo", "-data", h.dir, "-addr", h.addr}, h.args...)...)
	h.cmd.Stdout, h.cmd.Stderr = nil, nil
	if err := h.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(h.url() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatal("queueserver did not start")
}

// kill stops the server at once (SIGKILL), like a power cut.
func (h *hallServer) kill() {
	if h.cmd != nil && h.cmd.Process != nil {
		h.cmd.Process.Kill()
		h.cmd.Wait()
		h.cmd = nil
	}
}

func (h *hallServer) stop() { h.kill() }

// admin is an admin client of the demo hall.
func (h *hallServer) admin() *httpapi.Client {
	h.t.Helper()
	c := httpapi.NewClient(h.url(), nil)
	res, err := c.Login(context.Background(), "admin", h.credential("admin"))
	if err != nil {
		h.t.Fatal(err)
	}
	return c.WithToken(res.Token)
}

func (h *hallServer) credential(who string) string {
	return map[string]string{"admin": "admin123", "1001": "clerk123"}[who]
}
