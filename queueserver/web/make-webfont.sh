#!/usr/bin/env bash
# make-webfont.sh — rebuilds static/fonts/hall-sc.woff2, the web font of the hall's pages.
#
# Hall screens are often TVs or mini-PCs without Chinese fonts, and the hall has no internet, so
# the pages bundle their own: Noto Sans CJK SC Regular (SIL OFL 1.1, from Debian's fonts-noto-cjk)
# subset to ASCII, Latin-1, CJK punctuation, full-width forms and every character of GB2312
# (6,763 hanzi: service names, notices and directions), as WOFF2. The pages list it AFTER the
# system's CJK fonts, so phones and PCs that have one never download it. Rare name characters are
# never shown on screens (names are masked), so GB2312 is enough here; the apps and the printer use
# the GBK + Extension A face in assets/.
set -euo pipefail
cd "$(dirname "$0")"
../../packaging/ensure-deb-packages.sh fonts-noto-cjk python3-fonttools python3-brotli
PY=${PYTHON:-/usr/bin/python3}
SRC=${SRC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1643241600}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" - "$SRC" "$tmp/face.otf" "$tmp/unicodes.txt" <<'PY'
import sys
from fontTools.ttLib import TTCollection
src, face, unicodes = sys.argv[1:]
coll = TTCollection(src)
sc = [f for f in coll.fonts if "SC" in f["name"].getDebugName(1)][0]
sc.save(face)
cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
for b1 in range(0xA1, 0xF8):
    for b2 in range(0xA1, 0xFF):
        try:
            cps.add(ord(bytes([b1, b2]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
open(unicodes, "w").write(",".join("U+%04X" % c for c in sorted(cps)))
PY
"$PY" -m fontTools.subset "$tmp/face.otf" --unicodes-file=<(tr ',' '\n' < "$tmp/unicodes.txt") \
  --flavor=woff2 --no-hinting --desubroutinize --layout-features='' --drop-tables+=vhea,vmtx,VORG,BASE \
  --no-recalc-timestamp --output-file=static/fonts/hall-sc.woff2
cp ../../assets/fonts/OFL.txt static/fonts/OFL.txt
ls -l static/fonts
