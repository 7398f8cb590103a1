package bridge

import (
	"sync"

	"github.com/polygram/polygram/tl/rpcerr"
)

// ErrorsMsgpack is the list of Telegram's known RPC errors (tl/rpcerr,
// generated from schema/errors.csv) as msgpack, for bindings that generate
// exception classes from the library they load: an array, sorted by name,
// of {"name" ("FLOOD_WAIT_X": X stands for the number), "code" (the first
// of "codes"), "codes" ([int]: 400, 420, ...), "description" (may be "",
// "{seconds}" marks where the number goes)}. It is built once.
func ErrorsMsgpack() []byte {
	errorsOnce.Do(func() {
		all := rpcerr.All()
		list := make([]any, len(all))
		for i, e := range all {
			codes := make([]any, len(e.Codes))
			for j, c := range e.Codes {
				codes[j] = int64(c)
			}
			code := int64(0)
			if len(e.Codes) > 0 {
				code = int64(e.Codes[0])
			}
			list[i] = kv{"name", e.Name, "code", code, "codes", codes, "description", e.Description}
		}
		errorsMsgpack = mp(nil).any(list)
	})
	return errorsMsgpack
}

var (
	errorsOnce    sync.Once
	errorsMsgpack []byte
)
