package escpos

import (
	"bytes"
	"encoding/hex"
	"errors"
	goldenfile "hall/drivers/internal/golden"
	"image"
	"image/color"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"hall/drivers"
)

// ticket is the kiosk's ordinary ticket: Chinese text in several sizes, bold, alignment, QR, cut.
func ticket() drivers.Receipt {
	return drivers.Receipt{Blocks: []drivers.Block{
		drivers.Line{Text: "某市政务服务中心", Align: drivers.AlignCenter, Bold: true, Width: 2, Height: 2},
		drivers.Line{Text: "A001", Align: drivers.AlignCenter, Width: 4, Height: 4},
		drivers.Line{Text: "社保医保业务 前面还有 3 人", Align: drivers.AlignLeft},
		drivers.Line{Text: "2026-03-02 09:15", Align: drivers.AlignRight},
		drivers.QR{Data: "https://hall.example/t/A001?k=9F2C", Align: drivers.AlignCenter},
		drivers.Feed{Lines: 1},
		drivers.Line{Text: "请留意叫号，过号需重新取号", Align: drivers.AlignCenter},
		drivers.Cut{Feed: 3},
	}}
}

func mustEncode(t *testing.T, r drivers.Receipt, o Options) []byte {
	t.Helper()
	b, err := Encode(r, o)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b
}

func TestEncode_Golden(t *testing.T) {
	checker := image.NewGray(image.Rect(0, 0, 20, 30)) // 20 × 30: two bands of 24 and 6 rows
	for y := 0; y < 30; y++ {
		for x := 0; x < 20; x++ {
			if (x/4+y/4)%2 == 0 {
				checker.SetGray(x, y, color.Gray{})
			} else {
				checker.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	tests := []struct {
		name string
		r    drivers.Receipt
		o    Options
	}{
		{"ticket", ticket(), Options{}},
		{"ticket_58mm_no_chinese_mode", ticket(), Options{Dots: Dots58mm, NoChineseMode: true}},
		{"rare_name_raster", drivers.Receipt{Blocks: []drivers.Block{
			drivers.Line{Text: "姓名：张㛃", Align: drivers.AlignLeft},
		}}, Options{Dots: Dots58mm}},
		{"qr_levels_and_sizes", drivers.Receipt{Blocks: []drivers.Block{
			drivers.QR{Data: "L", Level: drivers.QRLevelL, ModuleSize: 5},
			drivers.QR{Data: "M", Level: drivers.QRLevelM, ModuleSize: 8, Align: drivers.AlignRight},
			drivers.QR{Data: "Q", Level: drivers.QRLevelQ},
			drivers.QR{Data: "H", Level: drivers.QRLevelH, ModuleSize: 16},
		}}, Options{}},
		{"qr_as_image", drivers.Receipt{Blocks: []drivers.Block{
			drivers.QR{Data: "A001", ModuleSize: 4, Align: drivers.AlignCenter},
		}}, Options{Dots: Dots58mm, QRAsImage: true}},
		{"image_bands", drivers.Receipt{Blocks: []drivers.Block{
			drivers.Image{Img: checker, Align: drivers.AlignRight},
		}}, Options{Dots: 64}},
		{"feed_and_cut", drivers.Receipt{Blocks: []drivers.Block{
			drivers.Feed{Lines: 0}, drivers.Feed{Lines: 255}, drivers.Cut{}, drivers.Cut{Feed: 5},
		}}, Options{}},
		{"sizes_bold_align", drivers.Receipt{Blocks: []drivers.Block{
			drivers.Line{Text: "x"},
			drivers.Line{Text: "x", Width: 2, Bold: true, Align: drivers.AlignCenter},
			drivers.Line{Text: "x", Height: 8, Width: 8, Align: drivers.AlignRight},
		}}, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, mustEncode(t, tt.r, tt.o))
		})
	}
}

// The QR commands follow DEVICES.md's table byte for byte: the module size goes in function
// 0x43, the error level in 0x45 (one public library swaps them), and pL/pH count data + 3.
func TestEncode_QRMatchesDevicesTable(t *testing.T) {
	got := mustEncode(t, drivers.Receipt{Blocks: []drivers.Block{
		drivers.QR{Data: "hello", ModuleSize: 7, Level: drivers.QRLevelQ, Align: drivers.AlignCenter},
	}}, Options{})
	want := []byte{
		0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 0x01,
		0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x07,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x32,
		0x1D, 0x28, 0x6B, 0x08, 0x00, 0x31, 0x50, 0x30, 'h', 'e', 'l', 'l', 'o',
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30,
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", hex.Dump(got), hex.Dump(want))
	}
}

func TestEncode_QRStoreLengthAbove255(t *testing.T) {
	data := bytes.Repeat([]byte("0"), 300)
	got := mustEncode(t, drivers.Receipt{Blocks: []drivers.Block{drivers.QR{Data: string(data)}}}, Options{})
	store := []byte{0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30} // 303 = 0x012F
	if !bytes.Contains(got, append(store, data...)) {
		t.Errorf("store command with pL=0x2F pH=0x01 not found in\n%s", hex.Dump(got))
	}
}

func TestEncode_LineBytes(t *testing.T) {
	got := mustEncode(t, drivers.Receipt{Blocks: []drivers.Block{
		drivers.Line{Text: "政务A", Width: 2, Height: 3, Bold: true, Align: drivers.AlignRight},
	}}, Options{})
	want := []byte{0x1B, 0x40, 0x1C, 0x26,
		0x1B, 0x61, 0x02, 0x1D, 0x21, 0x12, 0x1B, 0x45, 0x01, 0xD5, 0xFE, 0xCE, 0xF1, 'A', 0x0A}
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", hex.Dump(got), hex.Dump(want))
	}
}

func TestEncodeGB18030(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
		gbk  bool
	}{
		{"A1", []byte("A1"), true},
		{"政务", []byte{0xD5, 0xFE, 0xCE, 0xF1}, true},
		{"丂", []byte{0x81, 0x40}, true}, // trail byte 0x40 is '@': GBK, two bytes
		{"㛃", []byte{0x82, 0x30, 0xB7, 0x31}, false},
		{"张㛃", []byte{0xD5, 0xC5, 0x82, 0x30, 0xB7, 0x31}, false},
		{"𠀀", []byte{0x95, 0x32, 0x82, 0x36}, false},
	}
	for _, tt := range tests {
		got, gbk := EncodeGB18030(tt.in)
		if !bytes.Equal(got, tt.want) || gbk != tt.gbk {
			t.Errorf("EncodeGB18030(%q) = % X, %v; want % X, %v", tt.in, got, gbk, tt.want, tt.gbk)
		}
	}
}

// A line with a character outside GBK is never sent as text: it becomes a raster image.
func TestEncode_NonGBKLineIsRasterised(t *testing.T) {
	got := mustEncode(t, drivers.Receipt{Blocks: []drivers.Block{
		drivers.Line{Text: "张㛃", Width: 2, Height: 2},
	}}, Options{})
	if bytes.Contains(got, []byte{0x82, 0x30, 0xB7, 0x31}) {
		t.Error("the 4-byte GB18030 sequence was sent as text")
	}
	hdr := []byte{0x1D, 0x76, 0x30, 0x00, 576 / 8, 0x00, 24, 0x00}
	if !bytes.Contains(got, hdr) {
		t.Fatalf("no 576-dot raster band of 24 rows in\n%s", hex.Dump(got[:min(len(got), 64)]))
	}
	// 2×2 lines are 48 dots plus 12 dots of gap = 60 rows: bands of 24, 24, 12.
	if n := bytes.Count(got, []byte{0x1D, 0x76, 0x30, 0x00}); n != 3 {
		t.Errorf("%d raster bands, want 3", n)
	}
}

// Text cannot smuggle printer commands: control characters print as spaces.
func TestEncode_ControlCharactersCannotInjectCommands(t *testing.T) {
	got := mustEncode(t, drivers.Receipt{Blocks: []drivers.Block{
		drivers.Line{Text: "A\x1b@\x1dV\x00\n\r\x10\x04\x01B"},
	}}, Options{NoChineseMode: true})
	want := []byte{0x1B, 0x40, 0x1B, 0x61, 0, 0x1D, 0x21, 0, 0x1B, 0x45, 0,
		'A', ' ', '@', ' ', 'V', ' ', ' ', ' ', ' ', ' ', ' ', 'B', 0x0A}
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", hex.Dump(got), hex.Dump(want))
	}
}

// A native QR code and the raster fallback carry the same symbol: the raster is go-qrcode's
// bitmap scaled by the module size.
func TestEncode_QRAsImageIsGoQRCodeBitmap(t *testing.T) {
	const data, size = "https://hall.example/t/A001", 3
	got := mustEncode(t, drivers.Receipt{Blocks: []drivers.Block{drivers.QR{Data: data, ModuleSize: size}}},
		Options{QRAsImage: true, BandRows: 255, NoChineseMode: true})
	code, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := code.Bitmap()
	rows := len(bits) * size
	body := got[2:]
	if len(body) < 8 || !bytes.Equal(body[:6], []byte{0x1D, 0x76, 0x30, 0x00, 72, 0}) || int(body[6]) != rows {
		t.Fatalf("unexpected raster header % x", body[:min(8, len(body))])
	}
	bm := &Bitmap{Width: 576, Height: rows, Pix: body[8:]}
	if len(bm.Pix) != 72*rows {
		t.Fatalf("raster data %d bytes, want %d", len(bm.Pix), 72*rows)
	}
	for y := 0; y < rows; y++ {
		for x := 0; x < len(bits)*size; x++ {
			if bm.Black(x, y) != bits[y/size][x/size] {
				t.Fatalf("dot (%d,%d) = %v, want %v", x, y, bm.Black(x, y), bits[y/size][x/size])
			}
		}
	}
}

func TestEncode_Errors(t *testing.T) {
	tests := []struct {
		name string
		b    drivers.Block
	}{
		{"nil block", nil},
		{"width 9", drivers.Line{Text: "x", Width: 9}},
		{"negative height", drivers.Line{Text: "x", Height: -1}},
		{"bad alignment", drivers.Line{Text: "x", Align: 3}},
		{"empty QR", drivers.QR{}},
		{"QR too long", drivers.QR{Data: string(make([]byte, MaxQRData+1))}},
		{"QR module 17", drivers.QR{Data: "x", ModuleSize: 17}},
		{"QR level 9", drivers.QR{Data: "x", Level: 9}},
		{"nil image", drivers.Image{}},
		{"empty image", drivers.Image{Img: image.NewGray(image.Rect(0, 0, 0, 0))}},
		{"feed 256", drivers.Feed{Lines: 256}},
		{"cut feed -1", drivers.Cut{Feed: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(drivers.Receipt{Blocks: []drivers.Block{tt.b}}, Options{})
			if !errors.Is(err, ErrInvalidReceipt) {
				t.Errorf("Encode = %d bytes, %v; want ErrInvalidReceipt", len(b), err)
			}
		})
	}
	if _, err := Encode(ticket(), Options{Dots: 100}); err == nil {
		t.Error("Dots 100 (not a multiple of 8) accepted")
	}
	if _, err := Encode(ticket(), Options{BandRows: 256}); err == nil {
		t.Error("BandRows 256 accepted")
	}
}

// An image wider than the paper is scaled down to the paper width, keeping its aspect.
func TestEncode_WideImageScaledDown(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 800, 100)) // all black
	got := mustEncode(t, drivers.Receipt{Blocks: []drivers.Block{drivers.Image{Img: img}}},
		Options{Dots: Dots58mm, BandRows: 255, NoChineseMode: true})
	want := []byte{0x1B, 0x40, 0x1D, 0x76, 0x30, 0x00, 48, 0, 48, 0} // 384 dots, 100·384/800 rows
	if !bytes.HasPrefix(got, want) || len(got) != len(want)+48*48 {
		t.Errorf("got % x… (%d bytes), want prefix % x and %d bytes", got[:min(12, len(got))], len(got), want, len(want)+48*48)
	}
}

// Whatever a line's text, the encoded bytes carry it as text only: no control byte can reach
// the printer from the text, and a non-GBK line becomes well-formed raster bands.
func FuzzEncodeLine(f *testing.F) {
	f.Add("某市政务服务中心", 2, 2, true)
	f.Add("张㛃\x1b@\x1dV\x00", 1, 1, false)
	f.Add("\xff\xfe丂𠀀", 8, 8, true)
	f.Fuzz(func(t *testing.T, text string, w, h int, bold bool) {
		if len(text) > 200 {
			return // keep the raster path fast
		}
		out, err := Encode(drivers.Receipt{Blocks: []drivers.Block{drivers.Line{Text: text, Width: w, Height: h, Bold: bold}}},
			Options{Dots: Dots58mm, NoChineseMode: true})
		if err != nil {
			if w >= 0 && w <= 8 && h >= 0 && h <= 8 {
				t.Fatalf("valid sizes refused: %v", err)
			}
			return
		}
		body := out[2:]
		if len(body) >= 3 && bytes.Equal(body[:3], []byte{0x1D, 0x76, 0x30}) {
			for len(body) > 0 { // raster bands only
				if len(body) < 8 || !bytes.Equal(body[:4], []byte{0x1D, 0x76, 0x30, 0x00}) {
					t.Fatalf("malformed raster band % x", body[:min(len(body), 8)])
				}
				n := (int(body[4]) + int(body[5])<<8) * (int(body[6]) + int(body[7])<<8)
				if len(body) < 8+n {
					t.Fatalf("band of %d bytes truncated", n)
				}
				body = body[8+n:]
			}
			return
		}
		text9 := body[9 : len(body)-1] // after ESC a, GS !, ESC E; before LF
		for _, c := range text9 {
			if c < 0x20 || c == 0x7F {
				t.Fatalf("control byte %#02x in encoded text % x", c, text9)
			}
		}
		if body[len(body)-1] != 0x0A {
			t.Fatal("line not ended by LF")
		}
	})
}

// golden pins bytes in testdata/<name>.hex.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Bytes(t, name, got)
}
