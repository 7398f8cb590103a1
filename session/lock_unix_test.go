//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package session_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/polygram/polygram/session"
)

// The cross-process tests run this test binary again as a helper: with
// helperEnv set, TestHelperProcess opens the session named by it and, in
// "hold" mode, keeps it open until its standard input closes; in "try" mode
// it reports what Open returned.
const helperEnv = "POLYGRAM_SESSION_HELPER"

func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper for the cross-process lock tests; runs only when started by them")
	}
	switch os.Getenv(helperEnv + "_MODE") {
	case "hold":
		s, err := session.Open(path)
		if err != nil {
			fmt.Printf("ERROR %v\n", err)
			os.Exit(3)
		}
		if err := s.SetMainDC(os.Getpid() % 1000); err != nil {
			fmt.Printf("ERROR %v\n", err)
			os.Exit(3)
		}
		fmt.Println("LOCKED")
		io.Copy(io.Discard, os.Stdin)
		if err := s.Close(); err != nil {
			fmt.Printf("ERROR %v\n", err)
			os.Exit(3)
		}
		os.Exit(0)
	case "try":
		start := time.Now()
		s, err := session.Open(path)
		var inUse *session.InUseError
		switch {
		case errors.As(err, &inUse):
			fmt.Printf("INUSE %d %d\n", inUse.PID, time.Since(start).Milliseconds())
		case err != nil:
			fmt.Printf("ERROR %v\n", err)
		default:
			s.Close()
			fmt.Println("OPENED")
		}
		os.Exit(0)
	}
	os.Exit(2)
}

func helper(t *testing.T, mode, path string) (*exec.Cmd, io.WriteCloser, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path, helperEnv+"_MODE="+mode)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, stdin, bufio.NewReader(stdout)
}

// readLine reads the helper's next line, failing after a generous timeout.
func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	ch := make(chan string, 1)
	go func() {
		line, _ := r.ReadString('\n')
		ch <- strings.TrimSpace(line)
	}()
	select {
	case line := <-ch:
		return line
	case <-time.After(60 * time.Second):
		t.Fatal("helper process said nothing for 60s")
		return ""
	}
}

func TestSQLiteInUseByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.session")
	cmd, stdin, out := helper(t, "hold", path)
	if line := readLine(t, out); line != "LOCKED" {
		t.Fatalf("helper: %q", line)
	}

	start := time.Now()
	_, err := session.Open(path)
	elapsed := time.Since(start)
	var inUse *session.InUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("Open while another process holds the session = %v, want *InUseError", err)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("Open took %v to fail, want an immediate error", elapsed)
	}
	if inUse.PID != cmd.Process.Pid {
		t.Fatalf("InUseError.PID = %d, want the helper's %d", inUse.PID, cmd.Process.Pid)
	}
	want := fmt.Sprintf("session %q is in use by process %d; close the other client or use another session file", path, cmd.Process.Pid)
	if err.Error() != want {
		t.Fatalf("message = %q\nwant      %q", err, want)
	}

	// Once the helper closes its session, the file is ours, with its data.
	stdin.Close()
	must(t, cmd.Wait())
	s := openSQLite(t, path)
	if dc, _ := s.MainDC(); dc != cmd.Process.Pid%1000 {
		t.Fatalf("MainDC = %d, want %d (written by the helper)", dc, cmd.Process.Pid%1000)
	}
}

func TestSQLiteInUseSeenFromAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.session")
	s := openSQLite(t, path)
	_, _, out := helper(t, "try", path)
	line := readLine(t, out)
	var pid int
	var ms int64
	if _, err := fmt.Sscanf(line, "INUSE %d %d", &pid, &ms); err != nil {
		t.Fatalf("helper: %q, want INUSE", line)
	}
	if pid != os.Getpid() || ms > 2000 {
		t.Fatalf("helper saw pid %d after %dms, want pid %d at once", pid, ms, os.Getpid())
	}
	must(t, s.Close())
	_, _, out = helper(t, "try", path)
	if line := readLine(t, out); line != "OPENED" {
		t.Fatalf("helper after Close: %q, want OPENED", line)
	}
}

func TestSQLiteLockDiesWithItsProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.session")
	cmd, _, out := helper(t, "hold", path)
	if line := readLine(t, out); line != "LOCKED" {
		t.Fatalf("helper: %q", line)
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	cmd.Wait()
	// The dead process left its lock file behind; the kernel released its lock.
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Fatalf("expected a stale lock file: %v", err)
	}
	s := openSQLite(t, path)
	if dc, _ := s.MainDC(); dc != cmd.Process.Pid%1000 {
		t.Fatalf("MainDC = %d, want %d (committed by the killed helper)", dc, cmd.Process.Pid%1000)
	}
}

func TestSQLiteFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0) // so that only the code decides the modes
	defer syscall.Umask(old)

	path := filepath.Join(t.TempDir(), "private.session")
	s := openSQLite(t, path)
	must(t, s.SetAuthKey(session.AuthKey{DC: 2, Key: testKey(2)}))
	for _, p := range []string{path, path + "-wal", path + "-shm", path + ".lock"} {
		fi, err := os.Stat(p)
		must(t, err)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	must(t, s.Close())

	// An existing file that others can read is restricted on Open.
	must(t, os.Chmod(path, 0o644))
	s = openSQLite(t, path)
	fi, err := os.Stat(path)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("existing session left with mode %v, want 0600", fi.Mode().Perm())
	}
	if k, _ := s.AuthKey(2); k == nil {
		t.Fatal("auth key lost")
	}
}
