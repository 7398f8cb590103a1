package bridge

import (
	"context"
	"encoding/binary"
	"fmt"
	"reflect"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// prepare validates a request and returns the job that runs it. Everything
// that can be checked without the network is checked here, so that
// polygram_send fails at once on bad input.
func prepare(enc int, data []byte) (*job, *Error) {
	switch enc {
	case encTL:
		fn, e := decodeFunction(data)
		if e != nil {
			return nil, e
		}
		return rawJob(encTL, fn, encodeResult), nil
	case encMsgpack:
		body, err := tlpack.API().ObjectFromMsgpack(nil, data)
		if err != nil {
			return nil, errorf(statusDecode, "msgpack request: %v", err)
		}
		fn, e := decodeFunction(body)
		if e != nil {
			return nil, e
		}
		return rawJob(encMsgpack, fn, func(res any) ([]byte, error) {
			enc, err := encodeResult(res)
			if err != nil {
				return nil, err
			}
			out, err := tlpack.API().ResultToMsgpack(nil, body, enc)
			if err != nil {
				return nil, fmt.Errorf("converting the result of %s to msgpack: %w", tl.Name(fn), err)
			}
			return out, nil
		}), nil
	case encCall:
		return prepareCall(data)
	}
	return nil, errorf(statusInvalidArgument, "encoding %d is none of POLYGRAM_ENCODING_TL (1), _MSGPACK (2), _CALL (3)", enc)
}

// decodeFunction decodes a boxed TL function call of the API schema.
func decodeFunction(b []byte) (tl.Function, *Error) {
	if len(b) < 4 {
		return nil, errorf(statusDecode, "a TL request must start with a 4-byte constructor id (got %d bytes)", len(b))
	}
	id := binary.LittleEndian.Uint32(b)
	o := api.New(id)
	if o == nil {
		return nil, errorf(statusUnknownMethod, "constructor %08x is not in the API schema (layer %d)", id, api.Layer)
	}
	fn, ok := o.(tl.Function)
	if !ok {
		return nil, errorf(statusUnknownMethod, "%s is a constructor, not a function: only function calls can be sent", tl.Name(o))
	}
	d := tl.NewDecoder(b[4:])
	tl.DecodeBare(d, o)
	if d.Err() == nil && d.Remaining() != 0 {
		return nil, errorf(statusDecode, "%s: %d trailing bytes after the call", tl.Name(o), d.Remaining())
	}
	if d.Err() != nil {
		return nil, errorf(statusDecode, "%s: %v", tl.Name(o), d.Err())
	}
	return fn, nil
}

// rawJob is the job of a raw function call: through core's invoke policy
// (so users and chats are cached and pts fed to the updates manager), with
// the result converted by conv. Blocking callers run it whole (run); others
// begin it on their own goroutine and take the result where it arrives
// (start).
func rawJob(enc int, fn tl.Function, conv func(res any) ([]byte, error)) *job {
	return &job{enc: enc, run: func(ctx context.Context, c *Client) ([]byte, error) {
		res, err := c.core.Invoke(ctx, fn)
		if err != nil {
			return nil, err
		}
		return conv(res)
	}, start: func(ctx context.Context, c *Client, done func([]byte, error)) {
		c.core.Begin(ctx, fn).Then(func(res any, err error) {
			if err != nil {
				done(nil, err)
				return
			}
			done(conv(res))
		})
	}}
}

// encodeResult encodes a decoded result back to TL: an object, a Bool, or a
// vector of ints, longs or objects (the result kinds of the API schema).
func encodeResult(res any) ([]byte, error) {
	var e tl.Encoder
	switch x := res.(type) {
	case tl.Object:
		return tl.Encode(x)
	case bool:
		e.Bool(x)
	case []int32:
		e.IntVector(x)
	case []int64:
		e.LongVector(x)
	default:
		v := reflect.ValueOf(res)
		if v.Kind() != reflect.Slice {
			return nil, fmt.Errorf("capi: cannot encode a result of type %T", res)
		}
		e.VectorHeader(v.Len())
		for i := 0; i < v.Len(); i++ {
			o, ok := v.Index(i).Interface().(tl.Object)
			if !ok {
				return nil, fmt.Errorf("capi: cannot encode a vector element of type %s", v.Index(i).Type())
			}
			e.Object(o, "result")
		}
	}
	return e.Bytes(), e.Err()
}
