package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// fileMode is the mode of every file a session writes: it holds auth keys,
// which are as good as a password, so only the owner may read it.
const fileMode fs.FileMode = 0o600

// createPrivate creates path with mode 0600 unless it exists. SQLite gives
// the -wal and -shm files it creates the mode of the database file.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return fmt.Errorf("session: create %s: %w", path, err)
	}
	return f.Close()
}

// tightenPerm makes an existing file 0600 if group or others have any access.
// Windows has no such bits; it is left alone there.
func tightenPerm(path string, fi fs.FileInfo) error {
	if runtime.GOOS == "windows" || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, fileMode); err != nil {
		return fmt.Errorf("session: restrict permissions of %s to 0600: %w", path, err)
	}
	return nil
}

// tightenIfExists is tightenPerm for a file that may not exist.
func tightenIfExists(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("session: stat %s: %w", path, err)
	}
	return tightenPerm(path, fi)
}
