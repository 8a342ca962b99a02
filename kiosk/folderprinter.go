package kiosk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FolderPrinter is a LicencePrinter that "prints" each PDF into a folder, for demo halls and
// kiosks without an A4 printer yet: the file appears whole (written, synced, then renamed into
// place) or not at all, so Wait has nothing left to wait for.
type FolderPrinter struct {
	Dir string
	// Now names the files (default time.Now).
	Now func() time.Time
}

// Print writes pdf to Dir as <time>-<title>.pdf and returns the file's path as the job.
func (p *FolderPrinter) Print(ctx context.Context, title string, pdf []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return "", fmt.Errorf("licence folder: %w", err)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	name := now().Format("20060102-150405.000") + "-" + strings.Map(func(r rune) rune {
		if r == '/' || r == os.PathSeparator || r < ' ' {
			return '_'
		}
		return r
	}, title) + ".pdf"
	path := filepath.Join(p.Dir, name)
	tmp, err := os.CreateTemp(p.Dir, ".printing-*")
	if err != nil {
		return "", fmt.Errorf("licence folder: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(pdf); err != nil {
		tmp.Close()
		return "", fmt.Errorf("licence folder: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("licence folder: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("licence folder: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("licence folder: %w", err)
	}
	return path, nil
}

// Wait reports whether the job's file is there: Print finished it.
func (p *FolderPrinter) Wait(ctx context.Context, job string) error {
	if _, err := os.Stat(job); err != nil {
		return fmt.Errorf("licence folder: %w", err)
	}
	return ctx.Err()
}
