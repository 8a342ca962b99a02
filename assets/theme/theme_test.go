package theme

import (
	"bytes"
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"

	"hall/assets"
)

// render draws text alone in a small headless window with th and returns the pixels.
func render(t *testing.T, th fyne.Theme, text string) image.Image {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(th)
	label := canvas.NewText(text, th.Color(fynetheme.ColorNameForeground, fynetheme.VariantLight))
	label.TextSize = 40
	w := test.NewTempWindow(t, label)
	w.Resize(fyne.NewSize(120, 80))
	return w.Canvas().Capture()
}

func same(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

// TestTheme_DrawsChineseGlyphs: with the hall theme, two different Chinese characters and a rare
// one from Extension A (common in names) draw differently and visibly, i.e. with real glyphs, not
// one missing-glyph box. (On machines with a system CJK font Fyne's fallback could draw them too;
// TestTheme_UsesTheBundledFont makes sure the glyphs are ours.)
func TestTheme_DrawsChineseGlyphs(t *testing.T) {
	zheng, wu, rare := render(t, New(), "政"), render(t, New(), "务"), render(t, New(), "㛃")
	if same(zheng, wu) || same(zheng, rare) || same(wu, rare) {
		t.Fatal("the hall theme draws different Chinese characters the same: no CJK glyphs")
	}
	if same(zheng, render(t, New(), " ")) {
		t.Fatal("the hall theme draws 政 as nothing")
	}
}

// TestTheme_UsesTheBundledFont: every proportional text style gets the bundled CJK face.
func TestTheme_UsesTheBundledFont(t *testing.T) {
	th := New()
	for _, st := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Bold: true, Italic: true}} {
		if r := th.Font(st); !bytes.Equal(r.Content(), assets.CJKFont()) || r.Name() != assets.CJKFontFile {
			t.Fatalf("style %+v uses %q, not the bundled CJK font", st, r.Name())
		}
	}
}

func TestTheme_KeepsMonospaceAndDefaults(t *testing.T) {
	th := New()
	if th.Font(fyne.TextStyle{Monospace: true}) == th.Font(fyne.TextStyle{}) {
		t.Fatal("monospace text uses the CJK face")
	}
	def := fynetheme.DefaultTheme()
	if th.Size(fynetheme.SizeNameText) != def.Size(fynetheme.SizeNameText) {
		t.Fatal("sizes differ from the default theme")
	}
}
