//go:build !race

package kiosk

const raceEnabled = false
