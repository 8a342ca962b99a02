//go:build !linux

// Command devicesim opens virtual serial ports for the hall's simulated
// devices. It needs ptys and runs on Linux only.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "devicesim: virtual serial ports need Linux")
	os.Exit(1)
}
