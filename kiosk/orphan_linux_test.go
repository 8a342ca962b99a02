//go:build linux

package kiosk

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes a started server die with the test binary, even when the binary crashes
// before its cleanups run.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
