//go:build !linux

package kiosk

import "os/exec"

func dieWithTest(cmd *exec.Cmd) {}
