package kiosk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/sim"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kiosk.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, `{"server":"http://hall:8080","token":"t","idleTimeout":"45s","language":"en",
		"devices":{"idcard":{"path":"/dev/ttyUSB0","baud":115200},"printer":{"path":"/dev/ttyUSB1","dots":384}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.IdleTimeout) != 45*time.Second || c.Devices.IDCard.Baud != 115200 || c.Devices.Printer.Dots != 384 || c.Language != English {
		t.Fatalf("config %+v", c)
	}
	for body, want := range map[string]string{
		`{"server":"http://h","token":"t","devices":{"printr":{"path":"/dev/x"}}}`: "unknown field",
		`{"token":"t"}`:         "server is missing",
		`{"server":"http://h"}`: "token is missing",
		`{"server":"http://h","token":"t","devices":{"printer":{"dots":500}}}`: "printer dots",
		`{"server":"http://h","token":"t","language":"fr"}`:                    "language",
		`{"server":"http://h","token":"t","idleTimeout":"soon"}`:               "duration",
	} {
		if _, err := LoadConfig(writeConfig(t, body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", body, err, want)
		}
	}
}

func TestTokenFromCredentials(t *testing.T) {
	p := writeConfig(t, "# Hall demo credentials\ndevice kiosk-1      kiosk   token abc123\ndevice kiosk-2      kiosk   token def456\n")
	if tok, err := TokenFromCredentials(p, "kiosk-2"); err != nil || tok != "def456" {
		t.Fatalf("token %q %v", tok, err)
	}
	if _, err := TokenFromCredentials(p, "kiosk-9"); err == nil {
		t.Fatal("an unknown device has a token")
	}
}

// Devices that are not plugged in when the kiosk starts are opened anyway: the printer answers
// "offline" (never a crash) and is used as soon as it appears on its port.
func TestOpenDevices_AbsentPrinterIsPickedUpWhenPluggedIn(t *testing.T) {
	dir := t.TempDir()
	var c Config
	c.DevicesIn(dir)
	d, err := OpenDevices(c)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := d.Printer.Status(ctx); !errors.Is(err, drivers.ErrOffline) {
		t.Fatalf("status of an absent printer: %v, want offline", err)
	}
	printer := sim.NewPrinter(576)
	v, err := sim.NewVirtualPortAt(printer, filepath.Join(dir, "kiosk-printer"))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for {
		st, err := d.Printer.Status(ctx)
		if err == nil {
			if !st.Ready() {
				t.Fatalf("plugged-in printer: %v", st)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the printer was never picked up: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := d.Printer.Print(ctx, drivers.Receipt{Blocks: []drivers.Block{drivers.Line{Text: "A001"}, drivers.Cut{}}}); err != nil {
		t.Fatal(err)
	}
}
