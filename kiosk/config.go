package kiosk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hall/drivers"
	"hall/drivers/barcode"
	"hall/drivers/escpos"
	"hall/drivers/idcard"
	"hall/drivers/serialport"
	"hall/drivers/sim"
)

// Config is the kiosk's configuration file (JSON), for example:
//
//	{
//	  "server": "http://hall.local:8080",
//	  "token": "…device token from the enrolment…",
//	  "area": "a1",
//	  "adminPIN": "246810",
//	  "fullScreen": true,
//	  "idleTimeout": "60s",
//	  "licencePrinter": {"queue": "A4-Licences"},
//	  "devices": {
//	    "idcard":  {"path": "/dev/serial/by-id/usb-…-if00", "baud": 115200},
//	    "scanner": {"path": "/dev/ttyACM0", "baud": 9600},
//	    "printer": {"path": "/dev/ttyUSB1", "baud": 9600, "dots": 576}
//	  }
//	}
//
// A device without a path is absent. Ports are opened even when the device is not plugged in yet
// and reopened whenever it comes back.
type Config struct {
	Server string `json:"server"`
	Token  string `json:"token"`
	// PublicURL is the server address phones reach (for the ticket's QR code); default Server.
	PublicURL   string   `json:"publicURL,omitempty"`
	Area        string   `json:"area,omitempty"`
	AdminPIN    string   `json:"adminPIN,omitempty"`
	FullScreen  bool     `json:"fullScreen,omitempty"`
	IdleTimeout Duration `json:"idleTimeout,omitempty"`
	Language    Lang     `json:"language,omitempty"`
	// LicencePrinter is the CUPS queue of the A4 licence printer (自助打证), with its CUPS server
	// ("host:port", default the local one); no queue leaves licence printing off.
	LicencePrinter LicencePrinterConfig `json:"licencePrinter,omitzero"`
	Devices        struct {
		IDCard  Port `json:"idcard"`
		Scanner Port `json:"scanner"`
		Printer Port `json:"printer"`
	} `json:"devices"`
}

// LicencePrinterConfig names the CUPS queue of the licence printer.
type LicencePrinterConfig struct {
	Queue  string `json:"queue,omitempty"`
	Server string `json:"server,omitempty"`
}

// Port is a serial device's place and speed.
type Port struct {
	Path string `json:"path,omitempty"`
	Baud int    `json:"baud,omitempty"`
	// Dots is the printer's paper width in dots (576 for 80 mm, 384 for 58 mm).
	Dots int `json:"dots,omitempty"`
	// Terminator is the scanner's line end ("" for CR, LF or CR LF).
	Terminator string `json:"terminator,omitempty"`
}

// Duration is a time.Duration written as "60s" in JSON.
type Duration time.Duration

// UnmarshalJSON reads "60s" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("duration: want a string like \"60s\": %w", err)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// LoadConfig reads a configuration file. Unknown fields are errors (a typo must not silently
// leave a device out).
func LoadConfig(path string) (Config, error) {
	var c Config
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, c.Validate()
}

// Validate checks what the kiosk cannot run without.
func (c Config) Validate() error {
	if c.Server == "" {
		return errors.New("kiosk config: server is missing")
	}
	if c.Token == "" {
		return errors.New("kiosk config: the device token is missing (enrol the kiosk: POST /api/v1/devices)")
	}
	if c.Language != "" && c.Language != Chinese && c.Language != English {
		return fmt.Errorf("kiosk config: language %q: want zh or en", c.Language)
	}
	for name, p := range map[string]Port{"idcard": c.Devices.IDCard, "scanner": c.Devices.Scanner, "printer": c.Devices.Printer} {
		if p.Baud < 0 || p.Baud > 4000000 {
			return fmt.Errorf("kiosk config: %s baud %d out of range", name, p.Baud)
		}
	}
	if d := c.Devices.Printer.Dots; d != 0 && (d%8 != 0 || d < 8 || d > 2040) {
		return fmt.Errorf("kiosk config: printer dots %d: want a multiple of 8 (576 for 80 mm, 384 for 58 mm)", d)
	}
	return nil
}

// DevicesIn fills the device paths from a devicesim port directory (kiosk-idcard, kiosk-scanner,
// kiosk-printer).
func (c *Config) DevicesIn(dir string) {
	c.Devices.IDCard.Path = filepath.Join(dir, "kiosk-idcard")
	c.Devices.Scanner.Path = filepath.Join(dir, "kiosk-scanner")
	c.Devices.Printer.Path = filepath.Join(dir, "kiosk-printer")
}

// TokenFromCredentials reads a device's token from the demo server's credentials file
// (data/demo-credentials.txt: "device kiosk-1 kiosk token …").
func TokenFromCredentials(path, deviceID string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && f[0] == "device" && f[1] == deviceID && f[3] == "token" {
			return f[4], nil
		}
	}
	return "", fmt.Errorf("%s: no token for device %q", path, deviceID)
}

// Devices are the kiosk's opened devices.
type Devices struct {
	Card    drivers.CardReader
	Scanner drivers.Scanner
	Printer drivers.Printer
	Dots    int
	closers []io.Closer
}

// Close closes every device.
func (d *Devices) Close() error {
	var errs []error
	for _, c := range d.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// OpenDevices opens the configured serial devices. A device that is not plugged in yet is
// opened anyway (its port keeps trying); only a bad setting is an error.
func OpenDevices(c Config) (*Devices, error) {
	d := &Devices{Dots: c.Devices.Printer.Dots}
	if d.Dots == 0 {
		d.Dots = escpos.Dots80mm
	}
	open := func(p Port, defBaud int) (*serialport.Port, error) {
		baud := p.Baud
		if baud == 0 {
			baud = defBaud
		}
		return serialport.Open(p.Path, serialport.Options{Baud: baud, AllowAbsent: true})
	}
	if p := c.Devices.IDCard; p.Path != "" {
		port, err := open(p, idcard.DefaultBaud)
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("ID card reader %s: %w", p.Path, err)
		}
		r := idcard.New(port, idcard.Options{})
		d.Card = r
		d.closers = append(d.closers, r)
	}
	if p := c.Devices.Scanner; p.Path != "" {
		port, err := open(p, 9600)
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("scanner %s: %w", p.Path, err)
		}
		var term byte
		if p.Terminator != "" {
			term = p.Terminator[0]
		}
		s := barcode.New(port, barcode.Options{Terminator: term})
		d.Scanner = s
		d.closers = append(d.closers, s)
	}
	if p := c.Devices.Printer; p.Path != "" {
		port, err := open(p, 9600)
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("printer %s: %w", p.Path, err)
		}
		pr, err := escpos.New(port, escpos.Options{Dots: d.Dots})
		if err != nil {
			port.Close()
			d.Close()
			return nil, fmt.Errorf("printer %s: %w", p.Path, err)
		}
		d.Printer = pr
		d.closers = append(d.closers, pr)
	}
	return d, nil
}

// Simulated is a kiosk's device set on the simulators of drivers/sim, reached through the real
// drivers over in-memory pipes (the -sim mode and the tests).
type Simulated struct {
	Devices
	CardSim    *sim.CardReader
	ScannerSim *sim.Scanner
	PrinterSim *sim.Printer
}

// OpenSimulated starts a simulated ID card reader, scanner and 80 mm printer.
func OpenSimulated() (*Simulated, error) {
	s := &Simulated{CardSim: sim.NewCardReader(), ScannerSim: sim.NewScanner(), PrinterSim: sim.NewPrinter(escpos.Dots80mm)}
	s.CardSim.SetReadDelay(50 * time.Millisecond)
	s.Dots = escpos.Dots80mm
	r := idcard.New(sim.Pipe(s.CardSim), idcard.Options{PollInterval: 200 * time.Millisecond})
	sc := barcode.New(sim.Pipe(s.ScannerSim), barcode.Options{})
	pr, err := escpos.New(sim.Pipe(s.PrinterSim), escpos.Options{Dots: escpos.Dots80mm})
	if err != nil {
		r.Close()
		sc.Close()
		return nil, err
	}
	s.Card, s.Scanner, s.Printer = r, sc, pr
	s.closers = []io.Closer{r, sc, pr}
	return s, nil
}
