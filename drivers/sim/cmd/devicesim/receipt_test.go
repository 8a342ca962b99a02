//go:build linux

package main

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"hall/drivers"
	"hall/drivers/escpos"
	"hall/drivers/serialport"
)

// GET /receipt.png answers 404 before the first receipt and then the last receipt as a PNG as
// wide as the paper.
func TestDevicesim_ReceiptPNG(t *testing.T) {
	base, dir, _ := startTool(t)
	resp, err := http.Get(base + "/receipt.png")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("before any receipt: %d, want 404", resp.StatusCode)
	}
	port, err := serialport.Open(filepath.Join(dir, portPrinter), serialport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := escpos.New(port, escpos.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := p.Print(ctx, drivers.Receipt{Blocks: []drivers.Block{drivers.Line{Text: "A001", Width: 4, Height: 4}, drivers.Cut{}}}); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/receipt.png")
		if err != nil {
			t.Fatal(err)
		}
		body.Reset()
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
	}
	img, err := png.Decode(&body)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w != printerDots {
		t.Fatalf("receipt %d dots wide, want %d", w, printerDots)
	}
}
