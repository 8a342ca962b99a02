#!/usr/bin/env bash
# make-font.sh — rebuilds assets/fonts/NotoSansSC-Regular-GBK.otf, the CJK font bundled by package
# assets, from Debian's fonts-noto-cjk (Noto Sans CJK, SIL Open Font License 1.1).
#
# What it does, and why:
#   1. Extracts ONE face, "Noto Sans CJK SC" Regular (index 2), from NotoSansCJK-Regular.ttc:
#      Fyne crashes on .ttc collections, and the printer rasteriser needs one face anyway.
#   2. Subsets it to: ASCII and Latin-1, general punctuation, CJK symbols, full-width forms, every
#      character of GBK (what most Chinese ESC/POS printers print natively) and all of CJK Unified
#      Ideographs Extension A (U+3400–U+4DBF: rare characters common in names, e.g. 㛃 U+36C3, which
#      are 4-byte GB18030 and must be rasterised by the printer driver).
#   3. Drops hinting, vertical metrics (vhea/vmtx/VORG), BASE and the OpenType layout tables
#      (GSUB/GPOS/GDEF): nothing in the hall lays out vertical or proportional CJK text, and Fyne
#      and golang.org/x/image/font/opentype only need cmap, metrics and outlines.
#   4. Keeps the CFF (PostScript) outlines: x/image/font/sfnt and Fyne's go-text typesetting
#      both read CFF, so no lossy CFF→TrueType conversion: assets' tests render it
#      with x/image, and github.com/go-text/typesetting v0.3.4 (the version Fyne 2.8.1 uses)
#      was checked by hand to parse it and return outlines for 政, 㛃 and A. (WenQuanYi's
#      TrueType fonts were the fallback; not needed.)
#
# Reproducible: the output depends only on the Debian package versions below (head.modified is
# kept from the source font with --no-recalc-timestamp; SOURCE_DATE_EPOCH is pinned as well).
# Two runs give byte-identical files.
#   fonts-noto-cjk 1:20220127+repack1-1, python3-fonttools 4.38.0-1+deb12u1 (Debian 12 bookworm)
#
# Usage: assets/fonts/make-font.sh   (installs the two Debian packages if missing; needs root/sudo)
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
"$here/../../packaging/ensure-deb-packages.sh" fonts-noto-cjk python3-fonttools
# Debian's python3 has python3-fonttools; a pyenv/venv python3 on PATH may not.
PY=${PYTHON:-/usr/bin/python3}
SRC=${SRC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
OUT=NotoSansSC-Regular-GBK.otf
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1643241600} # 2022-01-27, the upstream release
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$PY" - "$SRC" "$tmp/face.otf" "$tmp/unicodes.txt" <<'PY'
import sys
from fontTools.ttLib import TTCollection
src, face_out, uni_out = sys.argv[1:4]
coll = TTCollection(src)
face = None
for f in coll.fonts:
    if f["name"].getDebugName(4) == "Noto Sans CJK SC":
        face = f
        break
if face is None:
    sys.exit("no 'Noto Sans CJK SC' face in " + src)
face.save(face_out)

cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
cps |= set(range(0x3400, 0x4DC0))           # CJK Unified Ideographs Extension A
for cp in range(0x80, 0x10000):             # every character GBK can encode
    if 0xD800 <= cp <= 0xDFFF:
        continue
    try:
        b = chr(cp).encode("gbk")
    except UnicodeEncodeError:
        continue
    if len(b) == 2 or cp == 0x20AC:
        cps.add(cp)
cps |= {0x3000, 0xFFFD, 0x25A1}             # ideographic space, replacement char, white square
with open(uni_out, "w") as w:
    w.write(",".join("U+%04X" % c for c in sorted(cps)))
PY

"$PY" -m fontTools.subset "$tmp/face.otf" \
  --unicodes-file="$tmp/unicodes.txt" \
  --output-file="$tmp/$OUT" \
  --no-hinting \
  --layout-features='' \
  --drop-tables+=BASE,VORG,vhea,vmtx,GSUB,GPOS,GDEF \
  --name-IDs='*' --name-languages='*' --notdef-outline \
  --no-recalc-timestamp
# CFF subroutines are kept (fontTools' default): the font stays small.
mv "$tmp/$OUT" "$here/$OUT"
# The licence next to the font: the notice from the font's own name table and the OFL text from
# Debian's copyright file (its "License: SIL-1.1" paragraph, de-indented).
{
  "$PY" -c 'import sys; from fontTools.ttLib import TTFont; n = TTFont(sys.argv[1])["name"]; print(n.getDebugName(0)); print(); print("Font: " + n.getDebugName(4) + ", " + n.getDebugName(5) + ", subset by assets/fonts/make-font.sh"); print()' "$here/$OUT"
  awk '/^License: SIL-1.1$/ && seen++ {p=1; next} p && /^License:/ {exit} p {sub(/^ /, ""); if ($0 == ".") $0 = ""; print}' \
    /usr/share/doc/fonts-noto-cjk/copyright
} >"$here/OFL.txt"
ls -l "$here/$OUT"
