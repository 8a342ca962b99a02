package assets

import (
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// The bundled font must be one parseable face (not a collection) that x/image can render.
func TestCJKFont_ParsesAsSingleFace(t *testing.T) {
	data := CJKFont()
	if string(data[:4]) == "ttcf" {
		t.Fatal("CJKFont is a .ttc collection; Fyne crashes on collections")
	}
	f, err := sfnt.Parse(data)
	if err != nil {
		t.Fatalf("sfnt.Parse: %v", err)
	}
	var buf sfnt.Buffer
	name, err := f.Name(&buf, sfnt.NameIDFamily)
	if err != nil {
		t.Fatalf("family name: %v", err)
	}
	if name != CJKFontName {
		t.Errorf("family name = %q, want %q", name, CJKFontName)
	}
}

// Every character a receipt or a screen needs has a glyph: GBK hanzi, Extension A name characters,
// ASCII, full-width punctuation.
func TestCJKFont_Coverage(t *testing.T) {
	f, err := sfnt.Parse(CJKFont())
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, r := range "政务服务大厅排队叫号A001请到3号窗口办理，：（）㛃丂㐀䶵" {
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			t.Errorf("no glyph for %q U+%04X (err %v)", r, r, err)
		}
	}
	// Extension B is knowingly absent: this documents the subset's limit.
	if gi, _ := f.GlyphIndex(&buf, '𠀀'); gi != 0 {
		t.Errorf("U+20000 unexpectedly present; update the package documentation")
	}
}

// The CFF outlines render with x/image: a hanzi draws a non-empty, sensibly sized glyph.
func TestCJKFont_RendersWithOpentype(t *testing.T) {
	f, err := opentype.Parse(CJKFont())
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 24, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	for _, r := range "㛃政" {
		b, adv, ok := face.GlyphBounds(r)
		if !ok {
			t.Fatalf("GlyphBounds(%q) not ok", r)
		}
		if adv.Round() != 24 {
			t.Errorf("advance of %q = %d, want 24 (a full-width em)", r, adv.Round())
		}
		if w := (b.Max.X - b.Min.X).Round(); w < 12 || w > 26 {
			t.Errorf("ink width of %q = %d, want a visible glyph 12..26 px", r, w)
		}
	}
}

func TestCJKFontLicence_IsOFL(t *testing.T) {
	l := CJKFontLicence()
	for _, want := range []string{"Adobe", "SIL OPEN FONT LICENSE Version 1.1", "Noto Sans CJK SC"} {
		if !strings.Contains(l, want) {
			t.Errorf("licence text lacks %q", want)
		}
	}
}
