//go:build unix

package bridge

import (
	"syscall"
	"testing"
	"time"
)

// readable polls fd for up to wait.
func readable(t *testing.T, fd int, wait time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		var set syscall.FdSet
		set.Bits[fd/64] |= 1 << (uint(fd) % 64)
		tv := syscall.NsecToTimeval(int64(10 * time.Millisecond))
		n, err := syscall.Select(fd+1, &set, nil, nil, &tv)
		if err != nil && err != syscall.EINTR {
			t.Fatal(err)
		}
		if n > 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

func TestEventFDIsReadableExactlyWhileEventsWait(t *testing.T) {
	c := newTestClient(t, nil, nil)
	fd, e := c.EventFD()
	if e != nil {
		t.Fatal(e)
	}
	defer syscall.Close(fd)
	drain(c) // whatever the client queued at start
	if readable(t, fd, 20*time.Millisecond) {
		t.Fatal("readable with an empty queue")
	}
	for round := 0; round < 3; round++ {
		var ids []uint64
		for i := 0; i < 5; i++ {
			id, e := c.Send(encCall, kv{"method", "ping_local", "args", kv{"i", i}}.encode())
			if e != nil {
				t.Fatal(e)
			}
			ids = append(ids, id)
		}
		if !readable(t, fd, 2*time.Second) {
			t.Fatalf("round %d: not readable after 5 results", round)
		}
		// Taking one event leaves the rest: still readable.
		got := drain1(t, c)
		if !readable(t, fd, 0) {
			t.Fatal("not readable with events left")
		}
		got = append(got, drain(c)...)
		if len(got) != 5 || got[0].reqID != ids[0] || got[4].reqID != ids[4] {
			t.Fatalf("round %d: got %d events", round, len(got))
		}
		if readable(t, fd, 20*time.Millisecond) {
			t.Fatal("readable after the queue was drained")
		}
	}
	// A second descriptor shares the state; the first one keeps working.
	fd2, e := c.EventFD()
	if e != nil || fd2 == fd {
		t.Fatalf("second descriptor %d: %v", fd2, e)
	}
	defer syscall.Close(fd2)
	c.Close()
	if !readable(t, fd, time.Second) || !readable(t, fd2, 0) {
		t.Fatal("not readable after close")
	}
	for {
		_, e := c.Receive(0)
		if e != nil {
			if e.status != statusClosed {
				t.Fatalf("end: %v", e)
			}
			break
		}
	}
	// The handle is spent: the library closed its ends, ours read EOF.
	var b [8]byte
	n, err := syscall.Read(fd, b[:])
	if n > 0 { // the last signal, not read by anyone
		n, err = syscall.Read(fd, b[:])
	}
	if n != 0 || err != nil {
		t.Fatalf("after the end: read %d, %v (want end of file)", n, err)
	}
}

func drain1(t *testing.T, c *Client) []Event {
	t.Helper()
	ev, e := c.Receive(0)
	if e != nil {
		t.Fatal(e)
	}
	return []Event{ev}
}

func TestEventFDRefusedInCallbackMode(t *testing.T) {
	c := newTestClient(t, nil, func(uint64, *Event) {})
	if fd, e := c.EventFD(); e == nil || e.status != statusWrongMode || fd != -1 {
		t.Fatalf("callback mode: fd %d, %v", fd, e)
	}
}
