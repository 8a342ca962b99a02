//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for hallload as the floor's child publisher, which
// -floor starts as os.Executable() -floor-serve.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-floor-serve" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRun_SmallLoadOnARealServer runs both phases at a small scale against a real queueserver
// binary: the benchmark must keep working, and it fails when anything is lost or disordered.
func TestRun_SmallLoadOnARealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bin := filepath.Join(t.TempDir(), "queueserver")
	build := exec.Command("go", "build", "-o", bin, "hall/queueserver")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	o := options{server: bin, admin: "admin", password: "admin123", kiosks: 4, issueFor: time.Second, services: 2,
		counters: 2, subscribers: 30, calls: 20, callRate: 40}
	if err := run(o); err != nil {
		t.Fatal(err)
	}
}

// TestFloor_SmallRun runs the floor's publisher and listeners at a small scale.
func TestFloor_SmallRun(t *testing.T) {
	if err := floorPhase(options{subscribers: 30, calls: 20, callRate: 40}); err != nil {
		t.Fatal(err)
	}
}

func TestLost_AnyLossFailsTheRun(t *testing.T) {
	if lost(0, 0, 0, 0) != nil {
		t.Fatal("a clean run failed")
	}
	for _, c := range [][4]int{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}} {
		if lost(int64(c[0]), c[1], int64(c[2]), int64(c[3])) == nil {
			t.Errorf("%v passed", c)
		}
	}
}
