package kiosk

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFolderPrinter_WritesWholeFilesAndNothingElse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "printed")
	p := &FolderPrinter{Dir: dir, Now: func() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC) }}
	pdf := []byte("%PDF-1.7\n…licence…\n%%EOF\n")
	job, err := p.Print(context.Background(), "licence-L1/../x", pdf)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(job) != dir || filepath.Base(job) != "20261123-093000.000-licence-L1_.._x.pdf" {
		t.Fatalf("job %q: want a file named by time and title inside %s", job, dir)
	}
	got, err := os.ReadFile(job)
	if err != nil || !bytes.Equal(got, pdf) {
		t.Fatalf("printed %q, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files in the folder, want only the licence", len(entries))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Print(ctx, "late", pdf); err == nil {
		t.Fatal("a cancelled print wrote a file")
	}
	if err := p.Wait(context.Background(), filepath.Join(dir, "missing.pdf")); err == nil {
		t.Fatal("waiting for a file that is not there succeeded")
	}
}
