// Command capi is Polygram's C API: built with -buildmode=c-shared it becomes
// libpolygram.so, whose contract is include/polygram.h. This package holds no
// logic beyond marshalling, ownership of C buffers and turning panics into
// error codes: nothing a caller passes may crash the host process.
package main

/*
#include <stdlib.h>
#include <string.h>

typedef enum polygram_status {
    POLYGRAM_OK = 0,
    POLYGRAM_ERR_INVALID_ARGUMENT = 1,
    POLYGRAM_ERR_DECODE = 2,
    POLYGRAM_ERR_INTERNAL = 3
} polygram_status;
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// abiVersion must equal POLYGRAM_ABI_VERSION in include/polygram.h.
const abiVersion = 0

// Version is the library version.
const Version = "0.1.0"

// versionC is allocated once and never freed: polygram_version returns a
// static string.
var versionC = C.CString(Version)

func main() {}

//export polygram_version
func polygram_version() *C.char { return versionC }

//export polygram_abi_version
func polygram_abi_version() C.int { return abiVersion }

//export polygram_layer
func polygram_layer() C.int { return api.Layer }

//export polygram_free
func polygram_free(p unsafe.Pointer) { C.free(p) }

//export polygram_schema
func polygram_schema(out **C.uchar, outLen *C.size_t) (status C.polygram_status) {
	defer recoverStatus(&status, nil, nil)
	if out == nil || outLen == nil {
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	give(out, outLen, []byte(api.SchemaText))
	return C.POLYGRAM_OK
}

//export polygram_tl_to_msgpack
func polygram_tl_to_msgpack(in *C.uchar, inLen C.size_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer recoverStatus(&status, errOut, errLen)
	src, ok := input(in, inLen)
	if !ok || out == nil || outLen == nil {
		giveError(errOut, errLen, C.POLYGRAM_ERR_INVALID_ARGUMENT, "INVALID_ARGUMENT", "a required pointer is NULL or the length is out of range")
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	mp, err := tlpack.API().ObjectToMsgpack(nil, src)
	if err != nil {
		giveError(errOut, errLen, C.POLYGRAM_ERR_DECODE, "DECODE", err.Error())
		return C.POLYGRAM_ERR_DECODE
	}
	give(out, outLen, mp)
	return C.POLYGRAM_OK
}

//export polygram_msgpack_to_tl
func polygram_msgpack_to_tl(in *C.uchar, inLen C.size_t, out **C.uchar, outLen *C.size_t, errOut **C.uchar, errLen *C.size_t) (status C.polygram_status) {
	defer recoverStatus(&status, errOut, errLen)
	src, ok := input(in, inLen)
	if !ok || out == nil || outLen == nil {
		giveError(errOut, errLen, C.POLYGRAM_ERR_INVALID_ARGUMENT, "INVALID_ARGUMENT", "a required pointer is NULL or the length is out of range")
		return C.POLYGRAM_ERR_INVALID_ARGUMENT
	}
	raw, err := tlpack.API().ObjectFromMsgpack(nil, src)
	if err != nil {
		giveError(errOut, errLen, C.POLYGRAM_ERR_DECODE, "DECODE", err.Error())
		return C.POLYGRAM_ERR_DECODE
	}
	give(out, outLen, raw)
	return C.POLYGRAM_OK
}

// maxInput bounds the size of one buffer passed in (TL strings are at most
// 16 MiB; a request or object is never larger than a few times that).
const maxInput = 1 << 30

// input views a caller's buffer without copying. A NULL pointer is allowed
// only with length 0.
func input(p *C.uchar, n C.size_t) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	if p == nil || uint64(n) > maxInput {
		return nil, false
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)), true
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

// giveError hands the caller an error map {"code", "name", "message"}.
func giveError(out **C.uchar, outLen *C.size_t, code C.polygram_status, name, msg string) {
	if out == nil || outLen == nil {
		return
	}
	give(out, outLen, errorMap(int(code), name, msg))
}

// errorMap encodes the error map by hand: it must work even when everything
// else is failing.
func errorMap(code int, name, msg string) []byte {
	b := []byte{0x83}
	b = appendStr(b, "code")
	b = append(b, 0xd2, byte(uint32(code)>>24), byte(uint32(code)>>16), byte(uint32(code)>>8), byte(code))
	b = appendStr(b, "name")
	b = appendStr(b, name)
	b = appendStr(b, "message")
	return appendStr(b, msg)
}

func appendStr(b []byte, s string) []byte {
	if len(s) > math.MaxUint16 {
		s = s[:math.MaxUint16]
	}
	if len(s) < 32 {
		b = append(b, 0xa0|byte(len(s)))
	} else {
		b = append(b, 0xda, byte(len(s)>>8), byte(len(s)))
	}
	return append(b, s...)
}

// recoverStatus turns a panic into POLYGRAM_ERR_INTERNAL so it never crosses
// the C boundary.
func recoverStatus(status *C.polygram_status, errOut **C.uchar, errLen *C.size_t) {
	if r := recover(); r != nil {
		*status = C.POLYGRAM_ERR_INTERNAL
		func() {
			defer func() { recover() }()
			giveError(errOut, errLen, C.POLYGRAM_ERR_INTERNAL, "INTERNAL", fmt.Sprint("internal fault: ", r))
		}()
	}
}
