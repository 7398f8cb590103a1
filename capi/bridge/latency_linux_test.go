//go:build linux

package bridge

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/polygram/polygram/internal/latency"
	"github.com/polygram/polygram/tl/api"
)

// BenchmarkInvokeNearestDCForeignThread reproduces, in Go, what a host
// thread of the C API does for one help.getNearestDc: a goroutine locked to
// its thread starts the call (Client.Start) and waits in a blocking syscall
// (a read of an eventfd that the waker writes), as polygram_invoke waits in
// C. Its P stays with it in the syscall state, so whatever the call started
// must run on other threads. Compare with BenchmarkInvokeNearestDC/core in
// the same run; run it with -trace to see the hand-offs (docs/capi.md, "Why
// a network request from C costs more than from Go").
//
//	go test -run '^$' -bench InvokeNearestDC -benchtime 5000x ./capi/bridge
func BenchmarkInvokeNearestDCForeignThread(b *testing.B) {
	c, req := nearestDCBench(b)
	foreignThread(b, c, req)
}

// BenchmarkInvokeNearestDCRemote is the same round trip from Go
// (core.Client.Invoke) and from a host thread (as in
// BenchmarkInvokeNearestDCForeignThread), with the emulator in another
// process, as a real server is: there the Go call cannot run the server's
// goroutines on its own thread between sending and receiving, and the
// difference between the two is what the C boundary costs.
//
//	go test -run '^$' -bench InvokeNearestDCRemote -benchtime 5000x ./capi/bridge
func BenchmarkInvokeNearestDCRemote(b *testing.B) {
	c, req := remoteNearestDCBench(b)
	ctx := context.Background()
	b.Run("core", func(b *testing.B) {
		latency.Measure(b, func() error {
			_, err := c.core.Invoke(ctx, &api.HelpGetNearestDCRequest{})
			return err
		})
	})
	b.Run("foreign-thread", func(b *testing.B) { foreignThread(b, c, req) })
}

// foreignThread measures req the way a host thread of the C API runs it.
func foreignThread(b *testing.B, c *Client, req []byte) {
	fd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, 0, 0)
	if errno != 0 {
		b.Fatal(errno)
	}
	defer syscall.Close(int(fd))
	c.SetWaker(func() {
		one := uint64(1)
		syscall.Write(int(fd), (*[8]byte)(unsafe.Pointer(&one))[:])
	})
	defer c.SetWaker(func() {})
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var buf [8]byte
	latency.Measure(b, func() error {
		k, e := c.Start(encTL, req, 0)
		if e != nil {
			return e
		}
		for !k.Done() {
			syscall.Read(int(fd), buf[:])
		}
		if _, e := k.Result(); e != nil {
			return e
		}
		return nil
	})
}
