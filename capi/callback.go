package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include -DPOLYGRAM_BUILDING_LIBRARY
#include "polygram.h"

// The one C trampoline: cgo cannot call a C function pointer directly.
// The event lives on this C stack for the duration of the callback.
static void polygram_deliver(polygram_callback cb, void *user_data, polygram_handle client,
                             int type, int status, uint64_t request_id, int encoding,
                             unsigned char *data, size_t data_len) {
    polygram_event ev;
    ev.type = type;
    ev.status = status;
    ev.request_id = request_id;
    ev.encoding = encoding;
    ev.data = data;
    ev.data_len = data_len;
    cb(user_data, client, &ev);
}
*/
import "C"

import (
	"unsafe"

	"github.com/polygram/polygram/capi/bridge"
)

// callCallback hands an event to the host's callback. The data is Go
// memory lent for the call (cgo pins it; it holds no Go pointers), so no
// copy is made: the header tells callbacks to copy what they keep.
func callCallback(cb C.polygram_callback, userData unsafe.Pointer, h uint64, ev *bridge.Event) {
	var data *C.uchar
	b := ev.Data()
	if len(b) > 0 {
		data = (*C.uchar)(unsafe.Pointer(&b[0]))
	}
	C.polygram_deliver(cb, userData, C.polygram_handle(h), C.int(ev.Type()), C.int(ev.Status()), C.uint64_t(ev.RequestID()),
		C.int(ev.Encoding()), data, C.size_t(len(b)))
}
