// Package golden compares test output with files under a package's testdata/ and rewrites them
// when the test binary runs with -update. It is shared by the driver tests, whose protocol bytes
// and conversations are pinned in golden files. Safe for use by parallel tests that write
// different files.
package golden

import (
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Text compares got with testdata/<name>, or writes it there with -update.
func Text(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// Bytes compares a hex dump of got with testdata/<name>.hex, or writes it with -update.
func Bytes(t testing.TB, name string, got []byte) {
	t.Helper()
	Text(t, name+".hex", hex.Dump(got))
}
