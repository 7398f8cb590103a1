package session

import (
	"io"
	"os"
	"strconv"
	"strings"
)

// The session lock is a sidecar file "<session>.lock" (mode 0600) that holds
// the owner's process id. On systems with flock(2) the lock itself is the
// kernel's: it is released when the owner exits, however it exits, so a lock
// file left behind by a crash never blocks anyone. Elsewhere the file's
// existence is the lock and a stale one (its process is gone) is taken over.

func lockPath(path string) string { return path + ".lock" }

// readLockPID returns the pid recorded in an open lock file, 0 if none.
func readLockPID(f *os.File) int {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 32))
	if err != nil && len(b) == 0 {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

func writeLockPID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}
