// Command capi is Polygram's C API: built with -buildmode=c-shared it becomes
// libpolygram.so, whose contract is include/polygram.h (and docs/capi.md).
//
// This package holds no logic beyond marshalling, handles, event queues and
// turning panics into error codes: nothing a caller passes may crash the
// host process. The exported functions in this file are thin: each converts
// C arguments, calls a Go function of the same meaning (client.send,
// client.receive, prepare, parseConfig, ...) and converts the answer back.
// The Go tests and fuzz targets exercise those functions directly; a Go
// program must never load libpolygram.so (two Go runtimes cannot share a
// process), so the shared library itself is tested from C (tests/c).
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include -DPOLYGRAM_BUILDING_LIBRARY
#include <stdlib.h>
#include <string.h>
#include "polygram.h"
*/
import "C"

import (
	"math"
	"time"
	"unsafe"

	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// abiVersion must equal POLYGRAM_ABI_VERSION in include/polygram.h.
const abiVersion = 1

// Version is the library version.
const Version = "0.1.0"

// versionC and the status names are allocated once and never freed: the
// functions that return them promise static strings.
var (
	versionC     = C.CString(Version)
	statusNamesC = func() []*C.char {
		out := make([]*C.char, len(statusNames)+1)
		for i, n := range statusNames {
			out[i] = C.CString(n)
		}
		out[len(statusNames)] = C.CString("UNKNOWN")
		return out
	}()
)

func main() {}

//export polygram_version
func polygram_version() *C.char { return versionC }

//export polygram_abi_version
func polygram_abi_version() C.int { return abiVersion }

//export polygram_layer
func polygram_layer() C.int { return api.Layer }

//export polygram_status_name
func polygram_status_name(s C.polygram_status) *C.char {
	if int(s) < 0 || int(s) >= len(statusNames) {
		return statusNamesC[len(statusNames)]
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
	b, err := schemaMsgpack()
	if err != nil {
		return C.POLYGRAM_ERR_INTERNAL
	}
	give(out, outLen, b)
	return C.POLYGRAM_OK
}

//export polygram_tl_to_msgpack
func polygram_tl_to_msgpack(in *C.uchar, inLen C.size_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(in, inLen)
	if !ok || out == nil || outLen == nil {
		return fail(errOut, errLen, nullArgument())
	}
	mp, err := tlpack.API().ObjectToMsgpack(nil, src)
	if err != nil {
		return fail(errOut, errLen, errorf(statusDecode, "%v", err))
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
	raw, err := tlpack.API().ObjectFromMsgpack(nil, src)
	if err != nil {
		return fail(errOut, errLen, errorf(statusDecode, "%v", err))
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
	give(out, outLen, stats(collect != 0))
	return C.POLYGRAM_OK
}

//export polygram_client_new
func polygram_client_new(config *C.uchar, configLen C.size_t, cb C.polygram_callback, userData unsafe.Pointer, handle *C.polygram_handle, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(config, configLen)
	if !ok || handle == nil {
		return fail(errOut, errLen, nullArgument())
	}
	var deliver func(h uint64, ev *event)
	if cb != nil {
		deliver = func(h uint64, ev *event) { callCallback(cb, userData, h, ev) }
	}
	c, e := newClient(src, deliver)
	if e != nil {
		return fail(errOut, errLen, e)
	}
	*handle = C.polygram_handle(c.h)
	return C.POLYGRAM_OK
}

//export polygram_client_close
func polygram_client_close(h C.polygram_handle) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	c, e := lookupClient(uint64(h))
	if e != nil {
		if e.status == statusClosed {
			return C.POLYGRAM_OK
		}
		return C.polygram_status(e.status)
	}
	c.close()
	return C.POLYGRAM_OK
}

//export polygram_set_log_level
func polygram_set_log_level(h C.polygram_handle, level C.int) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	c, e := lookupClient(uint64(h))
	if e != nil {
		return C.polygram_status(e.status)
	}
	if level < logDebug || level > logOff {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	c.logLevel.Store(int32(level))
	return C.POLYGRAM_OK
}

//export polygram_send
func polygram_send(h C.polygram_handle, enc C.polygram_encoding, req *C.uchar, reqLen C.size_t, id *C.uint64_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(req, reqLen)
	if !ok || id == nil {
		return fail(errOut, errLen, nullArgument())
	}
	c, e := lookupClient(uint64(h))
	if e != nil {
		return fail(errOut, errLen, e)
	}
	n, e := c.send(int(enc), src)
	if e != nil {
		return fail(errOut, errLen, e)
	}
	*id = C.uint64_t(n)
	return C.POLYGRAM_OK
}

//export polygram_cancel
func polygram_cancel(h C.polygram_handle, id C.uint64_t) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	c, e := lookupClient(uint64(h))
	if e != nil {
		return C.polygram_status(e.status)
	}
	if e := c.cancelRequest(uint64(id)); e != nil {
		return C.polygram_status(e.status)
	}
	return C.POLYGRAM_OK
}

//export polygram_invoke
func polygram_invoke(h C.polygram_handle, enc C.polygram_encoding, req *C.uchar, reqLen C.size_t, timeout C.double, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(req, reqLen)
	if !ok || out == nil || outLen == nil {
		return fail(errOut, errLen, nullArgument())
	}
	c, e := lookupClient(uint64(h))
	if e != nil {
		return fail(errOut, errLen, e)
	}
	d := seconds(float64(timeout))
	if d < 0 {
		d = 0 // no limit
	}
	res, e := c.invoke(int(enc), src, d)
	if e != nil {
		return fail(errOut, errLen, e)
	}
	give(out, outLen, res)
	return C.POLYGRAM_OK
}

//export polygram_receive
func polygram_receive(h C.polygram_handle, timeout C.double, ev *C.polygram_event) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	if ev == nil {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	c, e := lookupClient(uint64(h))
	if e != nil {
		return C.polygram_status(e.status)
	}
	got, e := c.receive(seconds(float64(timeout)))
	if e != nil {
		return C.polygram_status(e.status)
	}
	ev._type = C.int(got.typ)
	ev.status = C.int(got.status)
	ev.request_id = C.uint64_t(got.reqID)
	ev.encoding = C.int(got.enc)
	give(&ev.data, &ev.data_len, got.data)
	return C.POLYGRAM_OK
}

//export polygram_emulator_start
func polygram_emulator_start(config *C.uchar, configLen C.size_t, handle *C.polygram_handle, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(config, configLen)
	if !ok || handle == nil {
		return fail(errOut, errLen, nullArgument())
	}
	e, ae := startEmulator(src)
	if ae != nil {
		return fail(errOut, errLen, ae)
	}
	*handle = C.polygram_handle(e.h)
	return C.POLYGRAM_OK
}

//export polygram_emulator_stop
func polygram_emulator_stop(h C.polygram_handle) (status C.polygram_status) {
	defer guard(&status, nil, nil)
	e, ae := lookupEmulator(uint64(h))
	if ae != nil {
		if ae.status == statusClosed {
			return C.POLYGRAM_OK
		}
		return C.polygram_status(ae.status)
	}
	e.stop()
	return C.POLYGRAM_OK
}

//export polygram_emulator_call
func polygram_emulator_call(h C.polygram_handle, cmd *C.uchar, cmdLen C.size_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer guard(&status, errOut, errLen)
	src, ok := input(cmd, cmdLen)
	if !ok || out == nil || outLen == nil {
		return fail(errOut, errLen, nullArgument())
	}
	e, ae := lookupEmulator(uint64(h))
	if ae != nil {
		return fail(errOut, errLen, ae)
	}
	res, ae := e.call(src)
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

func nullArgument() *apiError {
	return errorf(statusInvalidArgument, "a required pointer is NULL, or a length is out of range (NULL input needs length 0; at most %d bytes)", maxInput)
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
func fail(errOut **C.uchar, errLen *C.size_t, e *apiError) C.polygram_status {
	if errOut != nil && errLen != nil {
		give(errOut, errLen, e.encode())
	}
	return C.polygram_status(e.status)
}

// guard turns a panic into POLYGRAM_ERR_INTERNAL so it never crosses the C
// boundary.
func guard(status *C.polygram_status, errOut **C.uchar, errLen *C.size_t) {
	if r := recover(); r != nil {
		*status = C.POLYGRAM_ERR_INTERNAL
		func() {
			defer func() { recover() }()
			fail(errOut, errLen, errorf(statusInternal, "internal fault: %v", r))
		}()
	}
}

// the compiler checks that the header's enum values are what Go uses.
var _ = [1]struct{}{}[C.POLYGRAM_ERR_FAILED-statusFailed]
