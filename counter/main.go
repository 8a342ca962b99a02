// Command counter is the counter terminal (窗口叫号终端) for clerks: log in at a counter, call,
// recall, mark no-shows, transfer, hold, pause and finish, with the LED window sign, the rating
// pad and the scanner on serial ports (or devicesim's ptys), and an optional citizen-facing
// second window with the rating buttons.
//
//	counter -server http://hall:8080 [-counter w01] [-staff 1001] [-sign /dev/ttyUSB0]
//	        [-pad /dev/ttyUSB1] [-scanner /dev/ttyACM0] [-citizen] [-sim] [-lang zh|en]
//
// The password for -staff comes from $HALL_COUNTER_PASSWORD (for unattended demo windows);
// otherwise the clerk types it. With a counter device token (-device-token or
// $HALL_COUNTER_DEVICE_TOKEN, from enrolling the terminal as a counter device) the terminal
// reports its sign, pad and scanner health to the server. -sim runs against the drivers/sim simulators in memory.
// The window and everything in it live in package terminal; main only wires.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"hall/assets/theme"
	"hall/counter/terminal"
	"hall/drivers"
	"hall/drivers/barcode"
	"hall/drivers/ledsign"
	"hall/drivers/ratingpad"
	"hall/drivers/serialport"
	"hall/drivers/sim"
	"hall/queueserver/httpapi"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "counter:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("counter", flag.ContinueOnError)
	server := fs.String("server", "http://127.0.0.1:8080", "queue server URL")
	counterID := fs.String("counter", "", "counter id (default: the one chosen last time on this machine)")
	staff := fs.String("staff", "", "staff number to log in with ($HALL_COUNTER_PASSWORD holds the password)")
	signPath := fs.String("sign", "", "serial port of the LED window sign")
	padPath := fs.String("pad", "", "serial port of the rating pad")
	scanPath := fs.String("scanner", "", "serial port of the barcode scanner")
	citizen := fs.Bool("citizen", false, "open the citizen-facing second window with the rating buttons")
	simulate := fs.Bool("sim", false, "use the in-memory device simulators (drivers/sim)")
	lang := fs.String("lang", "", "zh or en (default from $LANG)")
	deviceToken := fs.String("device-token", os.Getenv("HALL_COUNTER_DEVICE_TOKEN"), "the terminal's counter device token, to report device health (default $HALL_COUNTER_DEVICE_TOKEN)")
	ratingTimeout := fs.Duration("rating-timeout", 30*time.Second, "how long a visitor has to rate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	l := terminal.LangFromEnv(os.Getenv("LANG"))
	if *lang != "" {
		l = terminal.LangFromEnv(*lang)
	}
	devs, closeDevs, err := openDevices(*simulate, *signPath, *padPath, *scanPath)
	if err != nil {
		return err
	}
	defer closeDevs()

	a := app.NewWithID("cn.gov.hall.counter")
	a.Settings().SetTheme(theme.New())
	t := terminal.New(a, terminal.Options{
		Client: httpapi.NewClient(*server, nil), Lang: l, Prefs: a.Preferences(),
		Sign: devs.sign, Pad: devs.pad, Scanner: devs.scanner, CitizenWindow: *citizen,
		RatingTimeout: *ratingTimeout, Logger: logger, DeviceToken: *deviceToken,
	})
	defer t.Close()
	id := *counterID
	if id == "" {
		id = t.RememberedCounter()
	}
	t.Prefill(*staff, id)
	if pw := os.Getenv("HALL_COUNTER_PASSWORD"); *staff != "" && pw != "" && id != "" {
		go func() {
			if err := t.Login(*staff, pw, id); err != nil {
				logger.Error("login", "err", err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); fyne.Do(a.Quit) }()
	t.Show()
	a.Run()
	return nil
}

type devices struct {
	sign    drivers.Sign
	pad     drivers.RatingPad
	scanner drivers.Scanner
}

// openDevices opens the serial devices given (or the simulators) and returns a function that
// closes them.
func openDevices(simulate bool, signPath, padPath, scanPath string) (devices, func(), error) {
	var d devices
	var closers []io.Closer
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
	}
	port := func(path string, dev sim.Device) (io.ReadWriteCloser, error) {
		if simulate {
			return sim.Pipe(dev), nil
		}
		return serialport.Open(path, serialport.Options{AllowAbsent: true})
	}
	if simulate || signPath != "" {
		p, err := port(signPath, sim.NewSign(1, 2, 16))
		if err != nil {
			return d, closeAll, fmt.Errorf("sign: %w", err)
		}
		s, err := ledsign.New(p, ledsign.Options{})
		if err != nil {
			p.Close()
			return d, closeAll, err
		}
		d.sign = s
		closers = append(closers, s)
	}
	if simulate || padPath != "" {
		p, err := port(padPath, sim.NewRatingPad(1))
		if err != nil {
			closeAll()
			return d, func() {}, fmt.Errorf("rating pad: %w", err)
		}
		pad, err := ratingpad.New(p, ratingpad.Options{})
		if err != nil {
			p.Close()
			closeAll()
			return d, func() {}, err
		}
		d.pad = pad
		closers = append(closers, pad)
	}
	if simulate || scanPath != "" {
		p, err := port(scanPath, sim.NewScanner())
		if err != nil {
			closeAll()
			return d, func() {}, fmt.Errorf("scanner: %w", err)
		}
		sc := barcode.New(p, barcode.Options{})
		d.scanner = sc
		closers = append(closers, sc)
	}
	return d, closeAll, nil
}
