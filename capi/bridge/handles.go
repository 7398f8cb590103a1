package bridge

import (
	"sync"
	"sync/atomic"
)

// Handles are integers, never Go pointers: a counter shifted left by two,
// with the low bits naming the kind of object. A handle is never reused, so
// a stale one is always recognised, and its kind is known even after the
// object is gone (a closed client answers CLOSED, not BAD_HANDLE).
const (
	kindClient   = 1
	kindEmulator = 2
)

var (
	handleCounter atomic.Uint64
	clients       sync.Map // handle → *Client
	emulators     sync.Map // handle → *Emulator
)

func newHandle(kind uint64) uint64 { return handleCounter.Add(1)<<2 | kind }

// issued reports whether h was handed out (by kind).
func issued(h, kind uint64) bool {
	n := h >> 2
	return h&3 == kind && n >= 1 && n <= handleCounter.Load()
}

func kindName(h uint64) string {
	switch h & 3 {
	case kindClient:
		return "a client"
	case kindEmulator:
		return "an emulator"
	}
	return "nothing"
}

// LookupClient finds a live client by handle: CLOSED for one that was
// closed, BAD_HANDLE for anything else.
func LookupClient(h uint64) (*Client, *Error) {
	if v, ok := clients.Load(h); ok {
		return v.(*Client), nil
	}
	if issued(h, kindClient) {
		return nil, errorf(statusClosed, "client %d was closed", h)
	}
	return nil, badHandle(h, "a client")
}

// LookupEmulator finds a running emulator by handle: CLOSED for one that
// was stopped, BAD_HANDLE for anything else.
func LookupEmulator(h uint64) (*Emulator, *Error) {
	if v, ok := emulators.Load(h); ok {
		return v.(*Emulator), nil
	}
	if issued(h, kindEmulator) {
		return nil, errorf(statusClosed, "emulator %d was stopped", h)
	}
	return nil, badHandle(h, "an emulator")
}

func badHandle(h uint64, want string) *Error {
	if h == 0 {
		return errorf(statusBadHandle, "handle 0 is never valid (want %s handle)", want)
	}
	if n := h >> 2; n >= 1 && n <= handleCounter.Load() && h&3 != 0 && h&3 != 3 {
		return errorf(statusBadHandle, "handle %d is %s handle, not %s handle", h, kindName(h), want)
	}
	return errorf(statusBadHandle, "handle %d was never issued (want %s handle)", h, want)
}
