//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package session

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

type fileLock struct {
	path string
	f    *os.File
}

// acquireLock takes an exclusive, non-blocking flock on "<path>.lock". The
// lock belongs to the open file description, so a second Open in the same
// process conflicts just like another process does.
func acquireLock(path string) (*fileLock, error) {
	lp := lockPath(path)
	// The holder removes the file when it releases the lock, so the file we
	// lock may be unlinked under us; then it locks nothing and we retry.
	for attempt := 0; attempt < 10; attempt++ {
		f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("session: open lock file: %w", err)
		}
		if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			pid := readLockPID(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN) {
				return nil, &InUseError{PID: pid, Path: path}
			}
			return nil, fmt.Errorf("session: lock %s: %w", lp, err)
		}
		held, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("session: lock file: %w", err)
		}
		now, err := os.Stat(lp)
		if err != nil || !os.SameFile(held, now) {
			f.Close()
			continue
		}
		if err := tightenPerm(lp, held); err != nil {
			f.Close()
			return nil, err
		}
		if err := writeLockPID(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("session: write lock file: %w", err)
		}
		return &fileLock{path: lp, f: f}, nil
	}
	return nil, fmt.Errorf("session: lock file %s keeps being replaced", lp)
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), how)
			if ferr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return ferr
}

// release removes the lock file while still holding the lock (so nobody
// can lock it in between), then unlocks by closing it.
func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	rmErr := os.Remove(l.path)
	err := l.f.Close()
	l.f = nil
	if rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		return fmt.Errorf("session: remove lock file: %w", rmErr)
	}
	return err
}
