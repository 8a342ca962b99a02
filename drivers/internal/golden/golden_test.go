package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestTextAndBytes(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir)
	os.MkdirAll(filepath.Join(dir, "testdata"), 0o755)
	os.WriteFile(filepath.Join(dir, "testdata", "a.txt"), []byte("hello"), 0o644)
	os.WriteFile(filepath.Join(dir, "testdata", "b.hex"), []byte("00000000  01 02                                             |..|\n"), 0o644)

	for _, c := range []struct {
		name string
		run  func(testing.TB)
		fail bool
	}{
		{"TextSame", func(tb testing.TB) { Text(tb, "a.txt", "hello") }, false},
		{"TextDiffers", func(tb testing.TB) { Text(tb, "a.txt", "hullo") }, true},
		{"TextMissing", func(tb testing.TB) { Text(tb, "nope.txt", "x") }, true},
		{"BytesSame", func(tb testing.TB) { Bytes(tb, "b", []byte{1, 2}) }, false},
		{"BytesDiffer", func(tb testing.TB) { Bytes(tb, "b", []byte{1, 3}) }, true},
	} {
		r := &recorder{TB: t}
		c.run(r)
		if r.failed != c.fail {
			t.Errorf("%s: failed=%v, want %v", c.name, r.failed, c.fail)
		}
	}
}
