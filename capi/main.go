// Command capi is Polygram's C API: built with -buildmode=c-shared it becomes
// libpolygram.so, whose contract is include/polygram.h (and docs/capi.md).
//
// This package holds no logic beyond converting C arguments and turning
// panics into error codes: nothing a caller passes may crash the host
// process. Each exported function converts its C arguments, calls the
// function of the same meaning in capi/bridge (Client.Send, Client.Receive,
// NewClient, ...), which the mobile facade shares, and converts the answer
// back. The Go tests and fuzz targets of capi/bridge exercise those
// functions directly; a Go program must never load libpolygram.so (two Go
// runtimes cannot share a process), so the shared library itself is tested
// from C (tests/c).
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include -DPOLYGRAM_BUILDING_LIBRARY
#include <stdlib.h>
#include <string.h>
#include "polygram.h"
#include "wait.h"
*/
import "C"

import (
	"math"
	"runtime/cgo"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/polygram/polygram/capi/bridge"
	"github.com/polygram/polygram/tl/api"
)

// Version is the library version.
const Version = "0.1.0"

// versionC and the status names are allocated once and never freed: the
// functions that return them promise static strings.
var (
	versionC     = C.CString(Version)
	statusNamesC = func() []*C.char {
		names := bridge.StatusNames()
		out := make([]*C.char, len(names)+1)
		for i, n := range names {
			out[i] = C.CString(n)
		}
		out[len(names)] = C.CString("UNKNOWN")
		return out
	}()
)

func main() {}

//export polygram_version
func polygram_version() *C.char { return versionC }

//export polygram_abi_version
func polygram_abi_version() C.int { return bridge.ABIVersion }

//export polygram_layer
func polygram_layer() C.int { return api.Layer }

//export polygram_status_name
func polygram_status_name(s C.polygram_status) *C.char {
	if int(s) < 0 || int(s) >= len(statusNamesC)-1 {
		return statusNamesC[len(statusNamesC)-1]
	}
	return statusNamesC[int(s)]
}

//export polygram_free
func polygram_free(p unsafe.Pointer) { C.free(p) }

//export polygram_schema
func polygram_schema(out **C.uchar, outLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	if out == nil || outLen == nil {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	give(out, outLen, []byte(api.SchemaText))
	return C.POLYGRAM_OK
}

//export polygram_schema_msgpack
func polygram_schema_msgpack(out **C.uchar, outLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	if out == nil || outLen == nil {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	b, err := bridge.SchemaMsgpack()
	if err != nil {
		return C.POLYGRAM_ERR_INTERNAL
	}
	give(out, outLen, b)
	return C.POLYGRAM_OK
}

//export polygram_errors
func polygram_errors(out **C.uchar, outLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	if out == nil || outLen == nil {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	give(out, outLen, bridge.ErrorsMsgpack())
	return C.POLYGRAM_OK
}

//export polygram_tl_to_msgpack
func polygram_tl_to_msgpack(in *C.uchar, inLen C.size_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(in, inLen)
	if !ok || out == nil || outLen == nil {
		return fail(errOut, errLen, nullArgument())
	}
	mp, e := bridge.TLToMsgpack(src)
	if e != nil {
		return fail(errOut, errLen, e)
	}
	give(out, outLen, mp)
	return C.POLYGRAM_OK
}

//export polygram_msgpack_to_tl
func polygram_msgpack_to_tl(in *C.uchar, inLen C.size_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(in, inLen)
	if !ok || out == nil || outLen == nil {
		return fail(errOut, errLen, nullArgument())
	}
	raw, e := bridge.MsgpackToTL(src)
	if e != nil {
		return fail(errOut, errLen, e)
	}
	give(out, outLen, raw)
	return C.POLYGRAM_OK
}

//export polygram_stats
func polygram_stats(collect C.int, out **C.uchar, outLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	if out == nil || outLen == nil {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	give(out, outLen, bridge.Stats(collect != 0))
	return C.POLYGRAM_OK
}

//export polygram_client_new
func polygram_client_new(config *C.uchar, configLen C.size_t, cb C.polygram_callback, userData unsafe.Pointer, handle *C.polygram_handle, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(config, configLen)
	if !ok || handle == nil {
		return fail(errOut, errLen, nullArgument())
	}
	var deliver func(h uint64, ev *bridge.Event)
	if cb != nil {
		deliver = func(h uint64, ev *bridge.Event) { callCallback(cb, userData, h, ev) }
	}
	c, e := bridge.NewClient(src, deliver)
	if e != nil {
		return fail(errOut, errLen, e)
	}
	c.SetWaker(waker(c.Handle()))
	*handle = C.polygram_handle(c.Handle())
	return C.POLYGRAM_OK
}

//export polygram_client_close
func polygram_client_close(h C.polygram_handle) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	c, e := bridge.LookupClient(uint64(h))
	if e != nil {
		if e.Status() == bridge.StatusClosed {
			return C.POLYGRAM_OK
		}
		return C.polygram_status(e.Status())
	}
	c.Close()
	return C.POLYGRAM_OK
}

//export polygram_set_log_level
func polygram_set_log_level(h C.polygram_handle, level C.int) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	c, e := bridge.LookupClient(uint64(h))
	if e != nil {
		return C.polygram_status(e.Status())
	}
	if e := c.SetLogLevel(int(level)); e != nil {
		return C.polygram_status(e.Status())
	}
	return C.POLYGRAM_OK
}

//export polygram_send
func polygram_send(h C.polygram_handle, enc C.polygram_encoding, req *C.uchar, reqLen C.size_t, id *C.uint64_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(req, reqLen)
	if !ok || id == nil {
		return fail(errOut, errLen, nullArgument())
	}
	c, e := bridge.LookupClient(uint64(h))
	if e != nil {
		return fail(errOut, errLen, e)
	}
	n, e := c.Send(int(enc), src)
	if e != nil {
		return fail(errOut, errLen, e)
	}
	*id = C.uint64_t(n)
	return C.POLYGRAM_OK
}

//export polygram_event_fd
func polygram_event_fd(h C.polygram_handle, fd *C.int) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	if fd == nil {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	*fd = -1
	c, e := bridge.LookupClient(uint64(h))
	if e != nil {
		return C.polygram_status(e.Status())
	}
	n, e := c.EventFD()
	if e != nil {
		return C.polygram_status(e.Status())
	}
	*fd = C.int(n)
	return C.POLYGRAM_OK
}

//export polygram_cancel
func polygram_cancel(h C.polygram_handle, id C.uint64_t) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	c, e := bridge.LookupClient(uint64(h))
	if e != nil {
		return C.polygram_status(e.Status())
	}
	if e := c.Cancel(uint64(id)); e != nil {
		return C.polygram_status(e.Status())
	}
	return C.POLYGRAM_OK
}

// polygram_invoke and polygram_receive are C functions (wait.c): they poll
// the exports below, which never block, and wait in C between polls.

// invokePending is what polygram_internal_invoke_start and _poll return
// while the call runs (WAIT_PENDING in wait.c).
const invokePending = -1

//export polygram_internal_invoke_start
func polygram_internal_invoke_start(h C.polygram_handle, enc C.int, req *C.uchar, reqLen C.size_t, timeout C.double, call *C.uintptr_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.int) {
	var st C.polygram_status
	pending := false
	defer func() {
		status = C.int(st)
		if pending {
			status = invokePending
		}
	}()
	defer guard(&st, errOut, errLen)
	src, ok := input(req, reqLen)
	if !ok || out == nil || outLen == nil || call == nil {
		st = fail(errOut, errLen, nullArgument())
		return
	}
	c, e := bridge.LookupClient(uint64(h))
	if e != nil {
		st = fail(errOut, errLen, e)
		return
	}
	d := seconds(float64(timeout))
	if d < 0 {
		d = 0 // no limit
	}
	k, e := c.Start(int(enc), src, d)
	if e != nil {
		st = fail(errOut, errLen, e)
		return
	}
	if k.Done() {
		st = finishCall(k, out, outLen, errOut, errLen)
		return
	}
	*call = C.uintptr_t(cgo.NewHandle(k))
	pending = true
	return
}

//export polygram_internal_invoke_poll
func polygram_internal_invoke_poll(call C.uintptr_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.int) {
	var st C.polygram_status
	pending := false
	defer func() {
		status = C.int(st)
		if pending {
			status = invokePending
		}
	}()
	defer guard(&st, errOut, errLen)
	hk := cgo.Handle(call)
	k := hk.Value().(*bridge.Call)
	if !k.Done() {
		pending = true
		return
	}
	hk.Delete()
	st = finishCall(k, out, outLen, errOut, errLen)
	return
}

// finishCall hands over the outcome of a completed blocking call.
func finishCall(k *bridge.Call, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) C.polygram_status {
	res, e := k.Result()
	if e != nil {
		return fail(errOut, errLen, e)
	}
	give(out, outLen, res)
	return C.POLYGRAM_OK
}

//export polygram_internal_receive_now
func polygram_internal_receive_now(h C.polygram_handle, ev *C.polygram_event) (status C.int) {
	var st C.polygram_status
	defer func() { status = C.int(st) }()
	defer guard(&st, nil, nil)
	c, e := bridge.LookupClient(uint64(h))
	if e != nil {
		st = C.polygram_status(e.Status())
		return
	}
	got, e := c.Receive(0)
	if e != nil {
		st = C.polygram_status(e.Status())
		return
	}
	ev._type = C.int(got.Type())
	ev.status = C.int(got.Status())
	ev.request_id = C.uint64_t(got.RequestID())
	ev.encoding = C.int(got.Encoding())
	give(&ev.data, &ev.data_len, got.Data())
	st = C.POLYGRAM_OK
	return
}

// waker wakes the threads waiting in wait.c for a client: it bumps the
// client's counter and signals the sleepers, if any (a cgo call only then).
func waker(h uint64) func() {
	seq := (*uint32)(unsafe.Pointer(C.polygram_wait_seq(C.uint64_t(h))))
	sleepers := (*int32)(unsafe.Pointer(C.polygram_wait_sleepers(C.uint64_t(h))))
	return func() {
		atomic.AddUint32(seq, 1)
		if atomic.LoadInt32(sleepers) > 0 {
			C.polygram_wait_wake(C.uint64_t(h))
		}
	}
}

//export polygram_emulator_start
func polygram_emulator_start(config *C.uchar, configLen C.size_t, handle *C.polygram_handle, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(config, configLen)
	if !ok || handle == nil {
		return fail(errOut, errLen, nullArgument())
	}
	e, ae := bridge.StartEmulator(src)
	if ae != nil {
		return fail(errOut, errLen, ae)
	}
	*handle = C.polygram_handle(e.Handle())
	return C.POLYGRAM_OK
}

//export polygram_emulator_stop
func polygram_emulator_stop(h C.polygram_handle) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	e, ae := bridge.LookupEmulator(uint64(h))
	if ae != nil {
		if ae.Status() == bridge.StatusClosed {
			return C.POLYGRAM_OK
		}
		return C.polygram_status(ae.Status())
	}
	e.Stop()
	return C.POLYGRAM_OK
}

//export polygram_emulator_call
func polygram_emulator_call(h C.polygram_handle, cmd *C.uchar, cmdLen C.size_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(cmd, cmdLen)
	if !ok || out == nil || outLen == nil {
		return fail(errOut, errLen, nullArgument())
	}
	e, ae := bridge.LookupEmulator(uint64(h))
	if ae != nil {
		return fail(errOut, errLen, ae)
	}
	res, ae := e.Call(src)
	if ae != nil {
		return fail(errOut, errLen, ae)
	}
	give(out, outLen, res)
	return C.POLYGRAM_OK
}

// seconds converts a C timeout: negative (or NaN, or absurdly long) means
// without limit (-1), 0 means not at all.
func seconds(s float64) time.Duration {
	switch {
	case math.IsNaN(s) || s < 0 || s > 1e9:
		return -1
	case s == 0:
		return 0
	}
	return max(time.Duration(s*float64(time.Second)), time.Nanosecond)
}

// maxInput bounds the size of one buffer passed in (TL strings are at most
// 16 MiB; a request or object is never larger than a few times that).
const maxInput = 1 << 30

// input views a caller's buffer without copying; it is only read during the
// call. A NULL pointer is allowed only with length 0.
func input(p *C.uchar, n C.size_t) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	if p == nil || uint64(n) > maxInput {
		return nil, false
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)), true
}

func nullArgument() *bridge.Error {
	return bridge.Errorf(bridge.StatusInvalidArgument, "a required pointer is NULL, or a length is out of range (NULL input needs length 0; at most %d bytes)", maxInput)
}

// give copies b into a malloc'ed buffer owned by the caller.
func give(out **C.uchar, outLen *C.size_t, b []byte) {
	size := len(b)
	if size == 0 {
		size = 1 // malloc(0) may return NULL; callers always get a pointer
	}
	p := C.malloc(C.size_t(size))
	if p == nil {
		panic("polygram: out of memory")
	}
	if len(b) > 0 {
		C.memcpy(p, unsafe.Pointer(&b[0]), C.size_t(len(b)))
	}
	*out = (*C.uchar)(p)
	*outLen = C.size_t(len(b))
}

// fail hands the caller the error map (when asked for) and returns the
// status.
func fail(errOut **C.uchar, errLen *C.size_t, e *bridge.Error) C.polygram_status {
	if errOut != nil && errLen != nil {
		give(errOut, errLen, e.Encode())
	}
	return C.polygram_status(e.Status())
}

// guard turns a panic into POLYGRAM_ERR_INTERNAL so it never crosses the C
// boundary.
func guard(status *C.polygram_status, errOut **C.uchar, errLen *C.size_t) {
	if r := recover(); r != nil {
		*status = C.POLYGRAM_ERR_INTERNAL
		func() {
			defer func() { recover() }()
			fail(errOut, errLen, bridge.Errorf(bridge.StatusInternal, "internal fault: %v", r))
		}()
	}
}

// the compiler checks that the header's enum values are what Go uses.
var _ = [1]struct{}{}[C.POLYGRAM_ERR_FAILED-bridge.StatusFailed]
