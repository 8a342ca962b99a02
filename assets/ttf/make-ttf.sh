#!/usr/bin/env bash
# make-ttf.sh — rebuilds NotoSansSC-Regular-GBK.ttf, the TrueType twin of assets/fonts/
# NotoSansSC-Regular-GBK.otf, for the licence PDFs.
#
# Why: Go PDF libraries (github.com/signintech/gopdf among them) embed TrueType (glyf) fonts
# only, and the bundled font has CFF outlines. python3-fonttools (Debian) converts the cubic CFF
# curves to quadratic TrueType curves (cu2qu, max error 1 font unit of 1000 — invisible at any
# print size) for the same glyphs, metrics and cmap. The PDFs embed only the glyphs they use.
#
# Reproducible: head.modified is kept from the source (no timestamp recalculation), so two runs
# give byte-identical files with python3-fonttools 4.38.0-1+deb12u1 (Debian 12 bookworm).
#
# Usage: assets/ttf/make-ttf.sh   (installs python3-fonttools if missing; needs root/sudo)
set -euo pipefail
cd "$(dirname "$0")"
../../packaging/ensure-deb-packages.sh python3-fonttools
PY=${PYTHON:-/usr/bin/python3}
"$PY" - ../fonts/NotoSansSC-Regular-GBK.otf NotoSansSC-Regular-GBK.ttf <<'PY'
import sys
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

src, dst = sys.argv[1:3]
font = TTFont(src, recalcTimestamp=False)
order = font.getGlyphOrder()
glyphs = font.getGlyphSet()
glyf = newTable("glyf")
glyf.glyphOrder, glyf.glyphs = order, {}
for name in order:
    pen = TTGlyphPen(glyphs)
    glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
    glyf[name] = pen.glyph()
font["glyf"] = glyf
font["loca"] = newTable("loca")
maxp = font["maxp"]
maxp.tableVersion = 0x00010000
for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
             "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
    setattr(maxp, attr, 0)
maxp.maxZones = 1
font["post"].formatType = 3.0  # no glyph names: a PDF font needs none
del font["CFF "]
font.sfntVersion = "\x00\x01\x00\x00"
font["head"].glyphDataFormat = 0
font.save(dst)
PY
ls -l NotoSansSC-Regular-GBK.ttf
