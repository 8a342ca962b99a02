// Package cupstest starts a private CUPS daemon with a cups-pdf queue for tests: its own
// configuration and spool in a temporary directory, listening on a free loopback port, so
// tests never touch the machine's printers. cups-pdf writes each job as a PDF into the job
// owner's ~/PDF (Debian's /etc/cups/cups-pdf.conf), where Output finds it.
//
// It needs root (cupsd runs the cups-pdf backend as root) and Debian's cups and
// printer-driver-cups-pdf, which `make test` installs; without them Start skips the test, or
// fails it when CI is set.
package cupstest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hall/kiosk/cups"
)

// PPD is Debian's cups-pdf driver.
const PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"

// Start runs cupsd with one cups-pdf queue "HallPDF" until the test ends and returns a Printer
// on it.
func Start(t testing.TB) *cups.Printer {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("CI") != "" {
		skip = t.Fatalf
	}
	if os.Geteuid() != 0 {
		skip("cupstest: cupsd must run as root for the cups-pdf backend")
	}
	for _, f := range []string{"/usr/sbin/cupsd", "/usr/sbin/lpadmin", "/usr/bin/lp", "/usr/lib/cups/backend/cups-pdf", PPD} {
		if _, err := os.Stat(f); err != nil {
			skip("cupstest: %s missing (Debian packages cups, printer-driver-cups-pdf)", f)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// Not t.TempDir: its directories are private to root, and the cups filters run as lp.
	root, err := os.MkdirTemp("", "cupstest-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(root, 0o755)
	t.Cleanup(func() { os.RemoveAll(root) })
	for _, d := range []string{"ppd", "spool/tmp", "cache", "state", "log"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "cupsd.conf"), []byte(`LogLevel warn
Listen `+addr+`
WebInterface No
Browsing Off
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
`), 0o644)
	os.WriteFile(filepath.Join(root, "cups-files.conf"), []byte(fmt.Sprintf(`ServerRoot %[1]s
RequestRoot %[1]s/spool
TempDir %[1]s/spool/tmp
CacheDir %[1]s/cache
StateDir %[1]s/state
ErrorLog %[1]s/log/error_log
AccessLog %[1]s/log/access_log
PageLog %[1]s/log/page_log
SystemGroup root lpadmin
Sandboxing Relaxed
`, root)), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "/usr/sbin/cupsd", "-f", "-c", filepath.Join(root, "cupsd.conf"), "-s", filepath.Join(root, "cups-files.conf"))
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(root, "log", "error_log"))
			jobs, _ := exec.Command("lpstat", "-h", addr, "-W", "all", "-l", "-o").CombinedOutput()
			t.Logf("cupsd error_log:\n%s\njobs:\n%s", log, jobs)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(root, "log", "error_log"))
			t.Fatalf("cupsd did not listen on %s: %s", addr, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out, err := exec.Command("/usr/sbin/lpadmin", "-h", addr, "-p", "HallPDF", "-v", "cups-pdf:/", "-E", "-P", PPD).CombinedOutput(); err != nil {
		t.Fatalf("lpadmin: %v: %s", err, out)
	}
	return &cups.Printer{Queue: "HallPDF", Server: addr, PollEvery: 50 * time.Millisecond}
}

// OutputDir is where cups-pdf writes the jobs of the current user (its Out setting).
func OutputDir(t testing.TB) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	out := "${HOME}/PDF"
	if b, err := os.ReadFile("/etc/cups/cups-pdf.conf"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 2 && f[0] == "Out" {
				out = f[1]
			}
		}
	}
	return strings.NewReplacer("${HOME}", u.HomeDir, "${USER}", u.Username).Replace(out)
}

// Output waits for the PDF cups-pdf made of the job titled title, returns its bytes and removes it.
func Output(t testing.TB, title string) []byte {
	t.Helper()
	dir := OutputDir(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		matches, _ := filepath.Glob(filepath.Join(dir, title+"*.pdf"))
		if len(matches) == 1 {
			b, err := os.ReadFile(matches[0])
			if err == nil && len(b) > 0 && strings.Contains(string(b[max(0, len(b)-1024):]), "%%EOF") {
				os.Remove(matches[0])
				return b
			}
		}
		if len(matches) > 1 {
			t.Fatalf("cups-pdf made %d files for %s", len(matches), title)
		}
		if time.Now().After(deadline) {
			t.Fatalf("cups-pdf made no %s*.pdf in %s", title, dir)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
