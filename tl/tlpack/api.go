package tlpack

import (
	"sync"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

var (
	apiOnce   sync.Once
	apiBridge *Bridge
	apiErr    error
)

// API returns the bridge for the Telegram API schema (compiled on first use,
// in a few milliseconds).
func API() *Bridge {
	apiOnce.Do(func() { apiBridge, apiErr = New(api.SchemaText) })
	if apiErr != nil {
		// The schema text is generated from a schema the generator parsed:
		// failing here is a build defect, not an input error.
		panic(apiErr)
	}
	return apiBridge
}

// Marshal returns the msgpack form of a Telegram API object.
func Marshal(o tl.Object) ([]byte, error) {
	raw, err := tl.Encode(o)
	if err != nil {
		return nil, err
	}
	return API().ObjectToMsgpack(nil, raw)
}

// Unmarshal builds a Telegram API object (constructor or function) from its
// msgpack form.
func Unmarshal(src []byte) (tl.Object, error) {
	raw, err := API().ObjectFromMsgpack(nil, src)
	if err != nil {
		return nil, err
	}
	return tl.Decode(raw, api.New)
}
