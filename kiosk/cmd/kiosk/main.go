// Command kiosk is the hall's self-service kiosk (取号机): a full-screen Fyne window on the
// kiosk's touch screen, with its ID card reader, scanner and ticket printer.
//
// Usage:
//
//	kiosk -config /etc/hall/kiosk.json
//	kiosk -server http://127.0.0.1:8080 -credentials data/demo-credentials.txt -device kiosk-1 -devices /tmp/hall-devices
//	kiosk -server http://127.0.0.1:8080 -token TOKEN -sim
//
// -devices points at a devicesim port directory; -sim runs simulated devices in-process. Flags
// override the file. The screens are in package kiosk; this main only wires.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"hall/kiosk"
	"hall/kiosk/cups"
	"hall/queueserver/httpapi"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	configPath := fs.String("config", "", "configuration file (JSON, see package kiosk)")
	server := fs.String("server", "", "queue server URL (overrides the file)")
	token := fs.String("token", "", "device token (overrides the file)")
	creds := fs.String("credentials", "", "read the token from a demo credentials file (with -device)")
	device := fs.String("device", "kiosk-1", "device id in the credentials file")
	devDir := fs.String("devices", "", "use the devicesim ports in this directory")
	simulate := fs.Bool("sim", false, "run simulated devices in-process")
	full := fs.Bool("fullscreen", false, "start full screen (also from the file)")
	pin := fs.String("admin-pin", "", "admin PIN (overrides the file)")
	area := fs.String("area", "", "the kiosk's area (overrides the file)")
	lang := fs.String("lang", "", "start language zh or en (overrides the file)")
	licenceQueue := fs.String("licence-printer", "", "CUPS queue of the A4 licence printer (overrides the file)")
	licenceFolder := fs.String("licence-folder", "", "print licences as PDF files into this folder instead (demo halls, no A4 printer yet)")
	width := fs.Int("width", 1080, "window width when not full screen")
	height := fs.Int("height", 1920, "window height when not full screen")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cfg kiosk.Config
	if *configPath != "" {
		c, err := kiosk.LoadConfig(*configPath)
		if err != nil {
			return err
		}
		cfg = c
	}
	if *server != "" {
		cfg.Server = *server
	}
	if *licenceQueue != "" {
		cfg.LicencePrinter.Queue = *licenceQueue
	}
	if *token != "" {
		cfg.Token = *token
	}
	if *creds != "" {
		t, err := kiosk.TokenFromCredentials(*creds, *device)
		if err != nil {
			return err
		}
		cfg.Token = t
	}
	if *devDir != "" {
		cfg.DevicesIn(*devDir)
	}
	if *pin != "" {
		cfg.AdminPIN = *pin
	}
	if *area != "" {
		cfg.Area = *area
	}
	if *lang != "" {
		cfg.Language = kiosk.Lang(*lang)
	}
	cfg.FullScreen = cfg.FullScreen || *full
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	var devs *kiosk.Devices
	if *simulate {
		s, err := kiosk.OpenSimulated()
		if err != nil {
			return err
		}
		devs = &s.Devices
	} else {
		d, err := kiosk.OpenDevices(cfg)
		if err != nil {
			return err
		}
		devs = d
	}
	defer devs.Close()

	a := app.NewWithID("cn.gov.hall.kiosk")
	a.Settings().SetTheme(kiosk.NewTheme())
	w := a.NewWindow("Hall kiosk 取号机")
	w.SetPadded(false)
	w.Resize(fyne.NewSize(float32(*width), float32(*height)))
	if cfg.FullScreen {
		w.SetFullScreen(true)
		// A kiosk is left only through the admin PIN.
		w.SetCloseIntercept(func() { log.Info("kiosk: close request ignored (use the admin PIN)") })
	}
	a.Driver().SetDisableScreenBlanking(true)
	client := httpapi.NewClient(strings.TrimRight(cfg.Server, "/"), nil).WithToken(cfg.Token)
	var licencePrinter kiosk.LicencePrinter
	switch {
	case cfg.LicencePrinter.Queue != "":
		licencePrinter = &cups.Printer{Queue: cfg.LicencePrinter.Queue, Server: cfg.LicencePrinter.Server}
	case *licenceFolder != "":
		licencePrinter = &kiosk.FolderPrinter{Dir: *licenceFolder}
	}
	k := kiosk.New(w, kiosk.Options{
		LicencePrinter: licencePrinter,
		Client:         client, Card: devs.Card, Scanner: devs.Scanner, Printer: devs.Printer, PaperDots: devs.Dots,
		PublicURL: cfg.PublicURL, Area: cfg.Area, AdminPIN: cfg.AdminPIN,
		IdleTimeout: time.Duration(cfg.IdleTimeout), Language: cfg.Language, Logger: log,
		SetFullScreen: w.SetFullScreen, Quit: a.Quit,
	})
	k.Start()
	defer k.Stop()
	w.ShowAndRun()
	return nil
}
