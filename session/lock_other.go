//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Without flock the lock file's existence is the lock: it is created with
// O_EXCL, and one whose process no longer runs is taken over. Locks held by
// this process are remembered so that a second Open here is refused too.

var (
	heldMu sync.Mutex
	held   = map[string]bool{}
)

type fileLock struct {
	path string
	key  string
	f    *os.File
}

func acquireLock(path string) (*fileLock, error) {
	lp := lockPath(path)
	key, err := filepath.Abs(lp)
	if err != nil {
		key = lp
	}
	heldMu.Lock()
	defer heldMu.Unlock()
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			if err := writeLockPID(f); err != nil {
				f.Close()
				os.Remove(lp)
				return nil, fmt.Errorf("session: write lock file: %w", err)
			}
			held[key] = true
			return &fileLock{path: lp, key: key, f: f}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("session: create lock file: %w", err)
		}
		pid := 0
		if f, err := os.Open(lp); err == nil {
			pid = readLockPID(f)
			f.Close()
		}
		switch {
		case held[key]:
			return nil, &InUseError{PID: os.Getpid(), Path: path}
		case pid > 0 && pid != os.Getpid() && processAlive(pid):
			return nil, &InUseError{PID: pid, Path: path}
		}
		// Stale: its owner is gone (or it was never finished). Take it over,
		// unless another client took it over since we read it. (Best effort:
		// without an OS lock, two clients racing here can both win.)
		if f, err := os.Open(lp); err == nil {
			again := readLockPID(f)
			f.Close()
			if again != pid {
				continue
			}
		}
		if err := os.Remove(lp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, &InUseError{PID: pid, Path: path}
		}
	}
	return nil, fmt.Errorf("session: lock file %s keeps being recreated", lp)
}

func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}

func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	heldMu.Lock()
	delete(held, l.key)
	heldMu.Unlock()
	err := l.f.Close()
	l.f = nil
	if rmErr := os.Remove(l.path); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) && err == nil {
		err = fmt.Errorf("session: remove lock file: %w", rmErr)
	}
	return err
}
