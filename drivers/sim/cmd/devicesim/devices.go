//go:build linux

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"hall/drivers"
	"hall/drivers/sim"
)

// Port names, also the names of the links in the port directory.
const (
	portIDCard         = "kiosk-idcard"
	portKioskScanner   = "kiosk-scanner"
	portPrinter        = "kiosk-printer"
	portSign           = "counter-sign"
	portPad            = "counter-pad"
	portCounterScanner = "counter-scanner"
)

var portOrder = []string{portIDCard, portKioskScanner, portPrinter, portSign, portPad, portCounterScanner}

// Line protocol addresses and sizes of the simulated counter devices.
const (
	signAddr     = 0x01
	padAddr      = 0x01
	signLines    = 2
	signRunes    = 16
	printerDots  = 576 // 80 mm paper
	defaultDelay = 300 * time.Millisecond
)

// hall is one kiosk set and one counter set of simulated devices, each on
// a virtual serial port. Its methods are safe for concurrent use (the
// console and the HTTP control share it).
type hall struct {
	dir            string
	card           *sim.CardReader
	kioskScanner   *sim.Scanner
	printer        *sim.Printer
	sign           *sim.Sign
	pad            *sim.RatingPad
	counterScanner *sim.Scanner
	ports          map[string]*sim.VirtualPort

	closeOnce sync.Once
}

// openHall creates the devices and their ports, with links in dir.
func openHall(dir string, readDelay time.Duration) (*hall, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	h := &hall{
		dir:            dir,
		card:           sim.NewCardReader(),
		kioskScanner:   sim.NewScanner(),
		printer:        sim.NewPrinter(printerDots),
		sign:           sim.NewSign(signAddr, signLines, signRunes),
		pad:            sim.NewRatingPad(padAddr),
		counterScanner: sim.NewScanner(),
		ports:          map[string]*sim.VirtualPort{},
	}
	h.card.SetReadDelay(readDelay)
	devs := map[string]sim.Device{
		portIDCard: h.card, portKioskScanner: h.kioskScanner, portPrinter: h.printer,
		portSign: h.sign, portPad: h.pad, portCounterScanner: h.counterScanner,
	}
	for _, name := range portOrder {
		v, err := sim.NewVirtualPortAt(devs[name], filepath.Join(dir, name))
		if err != nil {
			h.Close()
			return nil, err
		}
		h.ports[name] = v
	}
	return h, nil
}

// Close closes every port. It is idempotent.
func (h *hall) Close() error {
	var errs []error
	h.closeOnce.Do(func() {
		for _, v := range h.ports {
			errs = append(errs, v.Close())
		}
	})
	return errors.Join(errs...)
}

// portsText lists the ports, one per line.
func (h *hall) portsText() string {
	var sb strings.Builder
	for _, name := range portOrder {
		v := h.ports[name]
		state := "plugged in, " + v.Device()
		if !v.Plugged() {
			state = "unplugged"
		}
		fmt.Fprintf(&sb, "%-16s %s  (%s)\n", name, v.Path(), state)
	}
	return sb.String()
}

// State is what GET /state returns.
type State struct {
	Ports          map[string]PortState `json:"ports"`
	CardReader     sim.CardReaderState  `json:"cardReader"`
	KioskScanner   sim.ScannerState     `json:"kioskScanner"`
	CounterScanner sim.ScannerState     `json:"counterScanner"`
	Printer        PrinterState         `json:"printer"`
	Sign           sim.SignState        `json:"sign"`
	Pad            PadState             `json:"pad"`
}

// PortState describes one virtual port.
type PortState struct {
	Path    string `json:"path"`
	Device  string `json:"device,omitempty"`
	Plugged bool   `json:"plugged"`
	Err     string `json:"err,omitempty"`
}

// PrinterState describes the simulated printer.
type PrinterState struct {
	Status      drivers.PrinterStatus `json:"status"`
	Receipts    int                   `json:"receipts"`
	LastReceipt string                `json:"lastReceipt,omitempty"`
	Discarded   int                   `json:"discarded"`
}

// PadState describes the simulated rating pad.
type PadState struct {
	Pending bool     `json:"pending"`
	Ticket  string   `json:"ticket,omitempty"`
	Staff   string   `json:"staff,omitempty"`
	Idle    string   `json:"idle"`
	History []string `json:"history"`
}

func (h *hall) state() State {
	st := State{
		Ports:          map[string]PortState{},
		CardReader:     h.card.State(),
		KioskScanner:   h.kioskScanner.State(),
		CounterScanner: h.counterScanner.State(),
		Sign:           h.sign.Shown(),
	}
	for name, v := range h.ports {
		ps := PortState{Path: v.Path(), Device: v.Device(), Plugged: v.Plugged()}
		if err := v.Err(); err != nil {
			ps.Err = err.Error()
		}
		st.Ports[name] = ps
	}
	st.Printer = PrinterState{Status: h.printer.Status(), Receipts: len(h.printer.Receipts()), Discarded: h.printer.Discarded()}
	if r, ok := h.printer.LastReceipt(); ok {
		st.Printer.LastReceipt = sim.Text(r, h.printer.Dots())
	}
	st.Pad.Ticket, st.Pad.Staff, st.Pad.Pending = h.pad.Pending()
	st.Pad.Idle = h.pad.IdleText()
	st.Pad.History = h.pad.History()
	return st
}

const helpText = `commands:
  ports                         list the virtual ports (open these paths with the drivers)
  state                         everything as JSON (same as GET /state)
  cards                         list the card presets
  insert card <preset>          place a card on the ID card reader (also: card <preset>)
  remove card                   lift the card
  card fault <f>                none|checksum|torn|garbage|readfail|silent
  card sticky on|off            keep finding a card after it was read
  scan [kiosk|counter] <code>   scan a code (default: the kiosk scanner)
  scanner crlf on|off           end scanned codes with CR LF instead of CR (both scanners)
  rate <1-5>                    press a key on the rating pad (1 非常满意 … 5 非常不满意)
  rate cancel|expire            press cancel / let the request time out
  rate auto <0-5>               answer every request at once with a level (0: off)
  pad                           what the rating pad asks
  sign                          what the LED sign shows
  paper out|low|ok              the printer's paper roll
  cover open|close              the printer's cover
  printer offline|online        the printer's offline state
  receipt                       the last printed receipt as text
  unplug <port>|replug <port>   pull a device out / plug it back (port names: see ports)
  help                          this text
  quit                          stop (the console only)`

// exec runs one console command and returns its output.
//
// Errors: an unknown command or bad arguments.
func (h *hall) exec(line string) (string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", nil
	}
	arg := func(i int) string {
		if i < len(f) {
			return strings.ToLower(f[i])
		}
		return ""
	}
	switch arg(0) {
	case "help", "?":
		return helpText, nil
	case "ports":
		return h.portsText(), nil
	case "state":
		b, err := json.MarshalIndent(h.state(), "", "  ")
		return string(b), err
	case "cards":
		var sb strings.Builder
		for _, n := range sim.PresetNames() {
			fmt.Fprintf(&sb, "%-10s %s\n", n, sim.CardPresets[n].About)
		}
		return sb.String(), nil
	case "insert":
		if arg(1) != "card" || len(f) != 3 {
			return "", errors.New("usage: insert card <preset>")
		}
		return h.insertCard(arg(2))
	case "remove":
		h.card.Remove()
		return "card removed", nil
	case "card":
		switch arg(1) {
		case "fault":
			fault, err := sim.ParseCardFault(arg(2))
			if err != nil {
				return "", err
			}
			h.card.SetFault(fault)
			return "card reader fault: " + fault.String(), nil
		case "sticky":
			on, err := onOff(arg(2))
			if err != nil {
				return "", err
			}
			h.card.SetSticky(on)
			return fmt.Sprintf("card reader sticky: %v", on), nil
		case "remove":
			h.card.Remove()
			return "card removed", nil
		case "":
			return "", errors.New("usage: card <preset> | card fault <f> | card sticky on|off")
		}
		return h.insertCard(arg(1))
	case "scan":
		if len(f) < 2 {
			return "", errors.New("usage: scan [kiosk|counter] <code>")
		}
		sc, name, rest := h.kioskScanner, "kiosk", f[1:]
		if (arg(1) == "kiosk" || arg(1) == "counter") && len(f) > 2 {
			if arg(1) == "counter" {
				sc, name = h.counterScanner, "counter"
			}
			rest = f[2:]
		}
		code := strings.Join(rest, " ")
		if err := sc.Scan(code); err != nil {
			return "", err
		}
		return fmt.Sprintf("scanned %q on the %s scanner", code, name), nil
	case "scanner":
		if arg(1) != "crlf" {
			return "", errors.New("usage: scanner crlf on|off")
		}
		on, err := onOff(arg(2))
		if err != nil {
			return "", err
		}
		suffix := "\r"
		if on {
			suffix = "\r\n"
		}
		h.kioskScanner.SetSuffix(suffix)
		h.counterScanner.SetSuffix(suffix)
		return fmt.Sprintf("scanners end codes with %q", suffix), nil
	case "rate":
		return h.rate(arg(1), arg(2))
	case "pad":
		t, s, ok := h.pad.Pending()
		if !ok {
			return fmt.Sprintf("no rating pending; idle text %q", h.pad.IdleText()), nil
		}
		return fmt.Sprintf("asking to rate ticket %s (staff %s)", t, s), nil
	case "sign":
		s := h.sign.Shown()
		var sb strings.Builder
		for i, l := range s.Lines {
			fmt.Fprintf(&sb, "line %d: %s\n", i+1, l)
		}
		if s.Call.Ticket != "" {
			fmt.Fprintf(&sb, "call: %s → window %s (blink %v)\n", s.Call.Ticket, s.Call.Window, s.Call.Blink)
		}
		fmt.Fprintf(&sb, "brightness: %d", s.Brightness)
		return sb.String(), nil
	case "paper":
		switch arg(1) {
		case "out":
			h.printer.SetPaper(sim.PaperOut)
		case "low":
			h.printer.SetPaper(sim.PaperNearEnd)
		case "ok":
			h.printer.SetPaper(sim.PaperOK)
		default:
			return "", errors.New("usage: paper out|low|ok")
		}
		return "printer: " + h.printer.Status().String(), nil
	case "cover":
		switch arg(1) {
		case "open", "close":
			h.printer.SetCoverOpen(arg(1) == "open")
		default:
			return "", errors.New("usage: cover open|close")
		}
		return "printer: " + h.printer.Status().String(), nil
	case "printer":
		switch arg(1) {
		case "offline", "online":
			h.printer.SetOffline(arg(1) == "offline")
		default:
			return "", errors.New("usage: printer offline|online")
		}
		return "printer: " + h.printer.Status().String(), nil
	case "receipt":
		r, ok := h.printer.LastReceipt()
		if !ok {
			return "no receipt printed yet", nil
		}
		return sim.Text(r, h.printer.Dots()), nil
	case "unplug", "replug":
		v, ok := h.ports[arg(1)]
		if !ok {
			return "", fmt.Errorf("no port %q (have %s)", arg(1), strings.Join(portOrder, ", "))
		}
		if arg(0) == "unplug" {
			return arg(1) + " unplugged", v.Unplug()
		}
		return arg(1) + " plugged in at " + v.Path(), v.Replug()
	}
	return "", fmt.Errorf("unknown command %q (try help)", f[0])
}

func (h *hall) insertCard(preset string) (string, error) {
	if err := h.card.InsertPreset(preset); err != nil {
		return "", err
	}
	return "card placed: " + sim.CardPresets[preset].About, nil
}

func (h *hall) rate(a, b string) (string, error) {
	switch a {
	case "cancel":
		return "cancel pressed", h.pad.PressCancel()
	case "expire":
		return "rating request timed out", h.pad.Expire()
	case "auto":
		n, err := strconv.Atoi(b)
		if err != nil || n < 0 || n > 5 {
			return "", errors.New("usage: rate auto <0-5>")
		}
		h.pad.AutoAnswer(drivers.RatingLevel(n))
		return fmt.Sprintf("auto answer: %d", n), nil
	}
	n, err := strconv.Atoi(a)
	if err != nil {
		return "", errors.New("usage: rate <1-5> | rate cancel | rate expire | rate auto <0-5>")
	}
	l := drivers.RatingLevel(n)
	if err := h.pad.PressKey(l); err != nil {
		return "", err
	}
	return fmt.Sprintf("pressed %d (%s)", n, l.Chinese()), nil
}

func onOff(s string) (bool, error) {
	switch s {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("want on or off, not %q", s)
}
