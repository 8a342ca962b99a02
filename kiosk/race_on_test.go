//go:build race

package kiosk

// raceEnabled: `make test-race` runs the flows again under the race detector; the Xvfb run, whose
// programs are not built with it, is left to the plain run.
const raceEnabled = true
