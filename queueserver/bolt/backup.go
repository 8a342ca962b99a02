package bolt

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bbolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store to w while the store keeps running (one
// read transaction; writers are not blocked). It returns the bytes written.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("bolt: backup: %w", err)
	}
	return n, nil
}

// BackupFile writes a consistent copy to path atomically (temporary file, fsync, rename).
func (s *Store) BackupFile(ctx context.Context, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".backup-*")
	if err != nil {
		return fmt.Errorf("bolt: backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := s.Backup(ctx, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("bolt: backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("bolt: backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("bolt: backup: %w", err)
	}
	return nil
}

// Restore replaces the data file at dst with the backup at src after checking that the backup is
// a readable store of a schema this program understands. The server must be stopped.
func Restore(src, dst string) error {
	db, err := bbolt.Open(src, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("bolt: restore: open backup: %w", err)
	}
	var version int
	verr := db.View(func(tx *bbolt.Tx) error {
		version = schemaVersion(tx)
		return nil
	})
	db.Close()
	if verr != nil {
		return fmt.Errorf("bolt: restore: %w", verr)
	}
	if version < 1 || version > SchemaVersion {
		return fmt.Errorf("bolt: restore: backup has schema version %d; this program reads 1 to %d", version, SchemaVersion)
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("bolt: restore: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return fmt.Errorf("bolt: restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("bolt: restore: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("bolt: restore: %w", err)
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("bolt: restore: %w", err)
	}
	return nil
}
