// Package assets owns the files the hall's programs embed: today the bundled CJK font.
//
// The font is Noto Sans CJK SC Regular (SIL Open Font License 1.1, see fonts/OFL.txt), one face
// extracted from Debian's fonts-noto-cjk collection and subset by fonts/make-font.sh to every GBK
// character plus CJK Unified Ideographs Extension A (rare name characters such as 㛃 U+36C3), with
// CFF outlines, no hinting and no layout tables. It is used by the printer driver to rasterise
// lines a printer cannot print natively, by the printer simulator to render receipts, and by the
// Fyne apps' theme.
//
// Package assets imports the standard library only, so that drivers and tools can use it without
// pulling in Fyne; a Fyne theme built on it belongs in a sub-package.
//
// Concurrency: everything here is read-only and safe for concurrent use. The returned byte slices
// share the embedded data: callers must not modify them.
package assets

import _ "embed"

// CJKFontName is the family name of the font returned by CJKFont.
const CJKFontName = "Noto Sans CJK SC"

// CJKFontFile is the file name of the bundled CJK font (an OpenType font with CFF outlines).
const CJKFontFile = "NotoSansSC-Regular-GBK.otf"

//go:embed fonts/NotoSansSC-Regular-GBK.otf
var cjkFont []byte

//go:embed fonts/OFL.txt
var cjkFontLicence string

// CJKFont returns the bundled CJK font file (OpenType/CFF, one face, never a collection). It
// covers ASCII, Latin-1, CJK punctuation, full-width forms, all of GBK and CJK Extension A;
// characters outside that (e.g. CJK Extension B, U+20000 and up) have no glyph. It never fails.
// The slice is shared: do not modify it.
func CJKFont() []byte { return cjkFont }

// CJKFontLicence returns the font's copyright notice and the SIL Open Font License text, to show
// in an "about" screen as the licence requires when the font is redistributed.
func CJKFontLicence() string { return cjkFontLicence }
