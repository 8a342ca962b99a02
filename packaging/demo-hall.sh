#!/usr/bin/env bash
# demo-hall.sh — the demo hall behind `make run`: the queue server with the demo hall, devicesim
# (virtual ID card reader, scanners, ticket printer, rating pad, window sign on ptys), and, when a
# display is available ($DISPLAY), a kiosk window on devicesim's devices (KIOSK_SCALE overrides
# the scale that fits it to the screen). Prints the page URLs
# and opens the hall board in a browser when one is installed. Ctrl-C stops everything.
#
# Environment: DATA (default ./data), ADDR (default :8080), DEVICES (devicesim port directory,
# default /tmp/hall-devices), SIM_HTTP (devicesim control, default 127.0.0.1:8765),
# NO_WINDOWS=1 (server and devices only), NO_COUNTER=1 (no counter window), NO_BROWSER=1.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${DATA:-./data}
ADDR=${ADDR:-:8080}
DEVICES=${DEVICES:-/tmp/hall-devices}
SIM_HTTP=${SIM_HTTP:-127.0.0.1:8765}
GO=${GO:-go}
BIN=${BIN:-./bin}

windows=0
if [ -n "${DISPLAY:-}" ] && [ -z "${NO_WINDOWS:-}" ]; then windows=1; fi

# Debian packages: the server needs nothing beyond Go; Fyne windows need cgo, GL and X headers.
packages=(ca-certificates curl)
if [ "$windows" = 1 ]; then
  packages+=(build-essential pkg-config libgl1-mesa-dev xorg-dev libwayland-dev libxkbcommon-dev x11-utils)
fi
packaging/ensure-deb-packages.sh "${packages[@]}"

mkdir -p "$BIN" "$DATA"
echo "building the server and devicesim…" >&2
CGO_ENABLED=0 $GO build -o "$BIN/" ./queueserver ./drivers/sim/cmd/devicesim
if [ "$windows" = 1 ]; then
  echo "building the kiosk app (the first Fyne build takes a few minutes)…" >&2
  $GO build -o "$BIN/" ./kiosk/cmd/kiosk
fi

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

host=${ADDR%:*}
port=${ADDR##*:}
[ -z "$host" ] || [ "$host" = "0.0.0.0" ] && host=127.0.0.1
url="http://$host:$port"

"$BIN/queueserver" -demo -data "$DATA" -addr "$ADDR" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$url/healthz" >/dev/null || { echo "the queue server did not start" >&2; exit 1; }

"$BIN/devicesim" -dir "$DEVICES" -http "$SIM_HTTP" -console=false >"$DATA/devicesim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -e "$DEVICES/kiosk-printer" ] && break; sleep 0.1; done
sleep 0.3
if ! kill -0 "${pids[1]}" 2>/dev/null || [ ! -e "$DEVICES/kiosk-printer" ]; then
  echo "devicesim did not start:" >&2
  cat "$DATA/devicesim.log" >&2
  exit 1
fi

creds="$DATA/demo-credentials.txt"
token() { awk -v id="$1" '$1 == "device" && $2 == id { print $5 }' "$creds"; }

echo
echo "  虚拟设备 devicesim:   ports in $DEVICES, control http://$SIM_HTTP (log $DATA/devicesim.log)"
echo "    place an ID card:   curl -d '{\"preset\":\"zhang\"}' http://$SIM_HTTP/card   (presets: zhang li elder rare expired …)"
echo "    lift it:            curl -d '{\"remove\":true}' http://$SIM_HTTP/card"
echo "    printer paper out:  curl -d '{\"paper\":\"out\"}' http://$SIM_HTTP/printer   (\"ok\" to refill)"
echo "    last ticket:        curl http://$SIM_HTTP/receipt.png > ticket.png"

if [ "$windows" = 1 ]; then
  # Kiosk window: 取号机 kiosk-1 on devicesim's ID card reader, scanner and printer. It is laid
  # out for a 1080×1920 portrait touch screen; on a shorter desktop FYNE_SCALE shrinks the
  # whole window to fit the screen's height. Licences (自助打证) print as PDFs into a folder.
  kiosk_scale=${KIOSK_SCALE:-}
  if [ -z "$kiosk_scale" ]; then
    kiosk_scale=1
    screen_h=$(xdpyinfo 2>/dev/null | awk '/dimensions:/ { split($2, d, "x"); print d[2]; exit }') || true
    if [ -n "$screen_h" ] && [ "$screen_h" -lt 1920 ]; then
      kiosk_scale=$(awk -v h="$screen_h" 'BEGIN { printf "%.2f", (h - 100) / 1920 }')
    fi
  fi
  FYNE_SCALE=$kiosk_scale "$BIN/kiosk" -server "$url" -credentials "$creds" -device kiosk-1 -devices "$DEVICES" \
    -admin-pin 2468 -width 1080 -height 1920 -licence-folder "$DATA/licences-printed" >"$DATA/kiosk.log" 2>&1 &
  pids+=($!)
  echo "  取号机 kiosk window:  kiosk-1 (admin PIN 2468: tap the hall name; log $DATA/kiosk.log)"
  echo "    自助打证 licences:   printed as PDF files into $DATA/licences-printed/"

  # Counter window: clerk 1001 at w01 on devicesim's counter-sign, counter-pad and
  # counter-scanner ports (packaging/demo-counter.sh, also `make run-counter`).
  if [ -z "${NO_COUNTER:-}" ]; then
    DEVDIR="$DEVICES" DEVHTTP="$SIM_HTTP" GO="$GO" packaging/demo-counter.sh "$url" >"$DATA/counter.log" 2>&1 &
    pids+=($!)
    echo "  窗口 counter window:  clerk 1001 at window 1 (log $DATA/counter.log)"
  fi
else
  echo "  (no display: set DISPLAY to also open the kiosk window)"
fi

board="$url/board?token=$(token screen-hall)"
echo
echo "  综合屏 hall board:    $board"
echo
if [ "$windows" = 1 ] && [ -z "${NO_BROWSER:-}" ]; then
  opened=0
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null; then
      flags=(--new-window --autoplay-policy=no-user-gesture-required --no-first-run --disable-background-networking)
      [ "$(id -u)" -eq 0 ] && flags+=(--no-sandbox --user-data-dir="$DATA/chromium-profile")
      "$b" "${flags[@]}" "$board" >/dev/null 2>&1 &
      pids+=($!)
      opened=1
      break
    fi
  done
  if [ "$opened" = 0 ] && command -v xdg-open >/dev/null; then xdg-open "$board" >/dev/null 2>&1 || true; fi
fi
echo "Ctrl-C stops the demo hall."
wait "${pids[0]}"
