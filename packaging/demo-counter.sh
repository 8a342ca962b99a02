#!/usr/bin/env bash
# Opens a counter terminal window on the demo hall: clerk 1001 logged in at counter w01, with
# devicesim's counter set (LED sign, rating pad, scanner ptys) and the citizen-facing second
# window. Starts devicesim when its HTTP control does not answer yet. Used by `make run-counter`
# and by the demo launcher.
#
#   packaging/demo-counter.sh [server URL, default http://127.0.0.1:8080]
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=${1:-${SERVER:-http://127.0.0.1:8080}}
DEVDIR=${DEVDIR:-${TMPDIR:-/tmp}/hall-devices}
DEVHTTP=${DEVHTTP:-127.0.0.1:8765}
GO=${GO:-go}
mkdir -p bin
$GO build -o bin/ ./counter ./drivers/sim/cmd/devicesim

for _ in $(seq 1 100); do
	curl -fsS "$SERVER/healthz" >/dev/null 2>&1 && break
	sleep 0.2
done
if ! curl -fsS "http://$DEVHTTP/state" >/dev/null 2>&1; then
	bin/devicesim -dir "$DEVDIR" -http "$DEVHTTP" -console=false >"${TMPDIR:-/tmp}/hall-devicesim.log" 2>&1 &
	echo "devicesim started (pid $!), ports in $DEVDIR, control http://$DEVHTTP"
	for _ in $(seq 1 50); do [ -e "$DEVDIR/counter-sign" ] && break; sleep 0.1; done
fi
# Enrol the terminal as counter device counter-w01 so that it reports its devices' health.
if [ -z "${HALL_COUNTER_DEVICE_TOKEN:-}" ]; then
	admin=$(curl -fsS -d "{\"staffId\":\"admin\",\"password\":\"${DEMO_ADMIN_PASSWORD:-admin123}\"}" "$SERVER/api/v1/auth/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p') || true
	if [ -n "$admin" ]; then
		HALL_COUNTER_DEVICE_TOKEN=$(curl -fsS -H "Authorization: Bearer $admin" \
			-d '{"id":"counter-w01","name":"1 号窗口叫号终端","kind":"counter","counterId":"w01"}' \
			"$SERVER/api/v1/devices" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p') || true
		export HALL_COUNTER_DEVICE_TOKEN
	fi
fi
echo "counter window: clerk 1001 at w01 (password clerk123, see data/demo-credentials.txt)"
HALL_COUNTER_PASSWORD=${HALL_COUNTER_PASSWORD:-clerk123} exec bin/counter -server "$SERVER" -counter w01 -staff 1001 -citizen \
	-sign "$DEVDIR/counter-sign" -pad "$DEVDIR/counter-pad" -scanner "$DEVDIR/counter-scanner"
