// Package ttf embeds the TrueType twin of the bundled CJK font (assets/fonts), made from it by
// make-ttf.sh, for the PDF libraries that embed TrueType outlines only (the licence prints of
// the kiosk). It is its own package so that only the programs that make PDFs carry it.
//
// The font is Noto Sans CJK SC Regular (SIL Open Font License 1.1, OFL.txt), subset to GBK and
// CJK Extension A like assets.CJKFont. Read-only; safe for concurrent use.
package ttf

import _ "embed"

// FontName is the family name of the font.
const FontName = "Noto Sans CJK SC"

//go:embed NotoSansSC-Regular-GBK.ttf
var font []byte

// Font returns the TrueType font file. The slice is shared: do not modify it.
func Font() []byte { return font }
