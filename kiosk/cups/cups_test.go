package cups_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hall"
	"hall/kiosk/cups"
	"hall/kiosk/cups/cupstest"
	"hall/kiosk/licencepdf"
)

// A licence PDF goes through a real CUPS queue (cups-pdf) and comes out as a one-page A4 PDF
// with the licence's text.
func TestPrinter_PrintsLicenceThroughCUPS(t *testing.T) {
	p := cupstest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := p.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	pdf, err := licencepdf.Make(licencepdf.Print{
		Licence:   hall.Licence{ID: "L-CUPS-1", Title: "营业执照", Holder: hall.Person{Name: "赵六", MaskedID: "110***********0011"}, Fields: []hall.LicenceField{{Label: "名称", Value: "成都某某科技有限公司"}}},
		VerifyURL: "http://hall.local/api/v1/licences/verify/x", KioskID: "kiosk-7", PrintedAt: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	title := fmt.Sprintf("halltest-%d", time.Now().UnixNano())
	job, err := p.Print(ctx, title, pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(job, "HallPDF-") {
		t.Fatalf("job id %q", job)
	}
	if err := p.Wait(ctx, job); err != nil {
		t.Fatal(err)
	}
	out := cupstest.Output(t, title)
	dir := t.TempDir()
	printed, original := filepath.Join(dir, "printed.pdf"), filepath.Join(dir, "original.pdf")
	os.WriteFile(printed, out, 0o644)
	os.WriteFile(original, pdf, 0o644)
	info, _ := exec.Command("pdfinfo", printed).Output()
	if !strings.Contains(string(info), "Pages:           1") || !strings.Contains(string(info), "(A4)") {
		t.Errorf("printed PDF:\n%s", info)
	}
	// CUPS turns the fonts into bitmaps (Type 3), so the text cannot be extracted: compare the
	// page as it looks with the PDF the kiosk sent, and with another licence's page, which must differ.
	other, _ := licencepdf.Make(licencepdf.Print{Licence: hall.Licence{ID: "L-OTHER", Title: "结婚证", Holder: hall.Person{Name: "钱七"}}, VerifyURL: "x"})
	otherPath := filepath.Join(dir, "other.pdf")
	os.WriteFile(otherPath, other, 0o644)
	same, diff := pageDistance(t, original, printed), pageDistance(t, otherPath, printed)
	t.Logf("distance to the licence %.2f, to another %.2f", same, diff)
	if same > 15 || diff < 2*same {
		t.Fatalf("printed page differs from the licence by %.2f, from another licence by %.2f", same, diff)
	}
	if dst := os.Getenv("CUPS_KEEP"); dst != "" {
		os.WriteFile(dst, out, 0o644)
	}
}

func TestPrinter_UnknownQueueIsNotReady(t *testing.T) {
	p := cupstest.Start(t)
	q := *p
	q.Queue = "NoSuchPrinter"
	if err := q.Ready(context.Background()); !errors.Is(err, cups.ErrNotReady) {
		t.Fatalf("Ready = %v", err)
	}
	if _, err := q.Print(context.Background(), "x", []byte("%PDF-1.4\n")); err == nil {
		t.Fatal("printed to a queue that does not exist")
	}
	if _, err := p.Print(context.Background(), "x", []byte("GIF89a")); err == nil {
		t.Fatal("printed something that is not a PDF")
	}
}

// pageDistance renders the first page of two PDFs in grey at 50 dpi and returns how much their
// ink differs, in percent of the ink on the pages (0: the same page).
func pageDistance(t *testing.T, a, b string) float64 {
	t.Helper()
	render := func(path string) *image.Gray {
		out := strings.TrimSuffix(path, ".pdf")
		if err := exec.Command("pdftoppm", "-r", "50", "-gray", "-png", "-singlefile", path, out).Run(); err != nil {
			t.Fatalf("pdftoppm %s: %v", path, err)
		}
		f, err := os.Open(out + ".png")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
		return g
	}
	ga, gb := render(a), render(b)
	if ga.Bounds() != gb.Bounds() {
		t.Fatalf("page sizes differ: %v vs %v", ga.Bounds(), gb.Bounds())
	}
	// Compare the ink of 6×6-pixel blocks, which forgives the half-pixel shifts of re-rendering,
	// and weigh by the ink on the page, so that blank paper does not hide a difference.
	const block = 6
	r := ga.Bounds()
	diff, ink := 0.0, 0.0
	for y := r.Min.Y; y+block <= r.Max.Y; y += block {
		for x := r.Min.X; x+block <= r.Max.X; x += block {
			sa, sb := 0, 0
			for dy := 0; dy < block; dy++ {
				for dx := 0; dx < block; dx++ {
					sa += 255 - int(ga.GrayAt(x+dx, y+dy).Y)
					sb += 255 - int(gb.GrayAt(x+dx, y+dy).Y)
				}
			}
			d := sa - sb
			if d < 0 {
				d = -d
			}
			diff += float64(d)
			ink += float64(max(sa, sb))
		}
	}
	return 100 * diff / ink
}
