package bridge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/polygram/polygram/internal/msgpackw"
)

// A small msgpack reader (the writer is internal/msgpackw) for what crosses the boundary as
// generic maps: configurations, friendly calls, emulator commands, events
// and error maps. TL objects never go through here: tl/tlpack transcodes
// them byte to byte. The reader is written for hostile input: every length
// is checked against the bytes left before anything is allocated, and
// nesting is bounded.

// maxNesting bounds map and array nesting in generic msgpack input.
const maxNesting = 64

// raw is msgpack bytes embedded as they are (a TL object from tlpack).
type raw []byte

// decodeMsgpack decodes one msgpack value that must span all of b. Maps
// must have string keys. Values are nil, bool, int64, uint64 (only above
// math.MaxInt64), float64, string, []byte, []any and map[string]any.
func decodeMsgpack(b []byte) (any, error) {
	r := &mpReader{b: b}
	v, err := r.value(0)
	if err != nil {
		return nil, err
	}
	if r.off != len(b) {
		return nil, fmt.Errorf("msgpack: %d trailing bytes after the value", len(b)-r.off)
	}
	return v, nil
}

type mpReader struct {
	b   []byte
	off int
}

var errShort = errors.New("msgpack: truncated input")

func (r *mpReader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, errShort
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p, nil
}

func (r *mpReader) uint(size int) (uint64, error) {
	p, err := r.take(size)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return uint64(p[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(p)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(p)), nil
	}
	return binary.BigEndian.Uint64(p), nil
}

// count reads a length and checks that at least min*n bytes remain.
func (r *mpReader) count(size, min int) (int, error) {
	n, err := r.uint(size)
	if err != nil {
		return 0, err
	}
	if n > uint64(len(r.b)-r.off) || min > 0 && n*uint64(min) > uint64(len(r.b)-r.off) {
		return 0, errShort
	}
	return int(n), nil
}

func (r *mpReader) value(depth int) (any, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("msgpack: nested deeper than %d", maxNesting)
	}
	p, err := r.take(1)
	if err != nil {
		return nil, err
	}
	c := p[0]
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c&0xf0 == 0x80:
		return r.mapBody(int(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return r.arrayBody(int(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		s, err := r.take(int(c & 0x1f))
		return string(s), err
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xc4, 0xc5, 0xc6:
		n, err := r.count(1<<(c-0xc4), 0)
		if err != nil {
			return nil, err
		}
		s, err := r.take(n)
		return append([]byte(nil), s...), err
	case 0xca:
		v, err := r.uint(4)
		return float64(math.Float32frombits(uint32(v))), err
	case 0xcb:
		v, err := r.uint(8)
		return math.Float64frombits(v), err
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, err := r.uint(1 << (c - 0xcc))
		if err != nil {
			return nil, err
		}
		if v > math.MaxInt64 {
			return v, nil
		}
		return int64(v), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		v, err := r.uint(size)
		if err != nil {
			return nil, err
		}
		shift := 64 - 8*size
		return int64(v<<shift) >> shift, nil
	case 0xd9, 0xda, 0xdb:
		n, err := r.count(1<<(c-0xd9), 0)
		if err != nil {
			return nil, err
		}
		s, err := r.take(n)
		return string(s), err
	case 0xdc, 0xdd:
		n, err := r.count(2<<(c-0xdc), 1)
		if err != nil {
			return nil, err
		}
		return r.arrayBody(n, depth)
	case 0xde, 0xdf:
		n, err := r.count(2<<(c-0xde), 2)
		if err != nil {
			return nil, err
		}
		return r.mapBody(n, depth)
	}
	// Extensions (0xc7-0xc9, 0xd4-0xd8) and the never-used 0xc1.
	return nil, fmt.Errorf("msgpack: unsupported type byte 0x%02x at offset %d", c, r.off-1)
}

func (r *mpReader) arrayBody(n, depth int) (any, error) {
	out := make([]any, 0, min(n, 1024))
	for i := 0; i < n; i++ {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *mpReader) mapBody(n, depth int) (any, error) {
	out := make(map[string]any, min(n, 64))
	for i := 0; i < n; i++ {
		k, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("msgpack: map key of type %s (keys must be strings)", typeName(k))
		}
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[ks] = v
	}
	return out, nil
}

// typeName names the msgpack type of a decoded value, for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "bool"
	case int64, uint64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bin"
	case []any:
		return "array"
	case map[string]any:
		return "map"
	}
	return fmt.Sprintf("%T", v)
}

// mp appends msgpack values to a byte slice.
type mp []byte

func (b mp) mapHeader(n int) mp   { return msgpackw.MapHeader(b, n) }
func (b mp) arrayHeader(n int) mp { return msgpackw.ArrayHeader(b, n) }
func (b mp) str(s string) mp      { return msgpackw.Str(b, s) }
func (b mp) bin(s []byte) mp      { return msgpackw.Bin(b, s) }
func (b mp) int(v int64) mp       { return msgpackw.Int(b, v) }
func (b mp) uint(v uint64) mp     { return msgpackw.Uint(b, v) }
func (b mp) float(v float64) mp   { return msgpackw.Float(b, v) }
func (b mp) bool(v bool) mp       { return msgpackw.Bool(b, v) }
func (b mp) nil() mp              { return msgpackw.Nil(b) }

// any appends a value of the kinds decodeMsgpack returns, plus the Go
// integer kinds, raw and string maps.
func (b mp) any(v any) mp {
	switch x := v.(type) {
	case nil:
		return b.nil()
	case bool:
		return b.bool(x)
	case int:
		return b.int(int64(x))
	case int32:
		return b.int(int64(x))
	case int64:
		return b.int(x)
	case uint64:
		return b.uint(x)
	case float64:
		return b.float(x)
	case string:
		return b.str(x)
	case []byte:
		return b.bin(x)
	case raw:
		return append(b, x...)
	case []any:
		b = b.arrayHeader(len(x))
		for _, e := range x {
			b = b.any(e)
		}
		return b
	case []int32:
		b = b.arrayHeader(len(x))
		for _, e := range x {
			b = b.int(int64(e))
		}
		return b
	case []raw:
		b = b.arrayHeader(len(x))
		for _, e := range x {
			b = append(b, e...)
		}
		return b
	case map[string]any:
		b = b.mapHeader(len(x))
		for k, e := range x {
			b = b.str(k).any(e)
		}
		return b
	case map[string]string:
		b = b.mapHeader(len(x))
		for k, e := range x {
			b = b.str(k).str(e)
		}
		return b
	case kv:
		return x.append(b)
	}
	panic(fmt.Sprintf("capi: cannot encode %T as msgpack", v))
}

// kv is an ordered map: keys and values alternate. Its encoding keeps the
// order, so answers are deterministic and cheap to build.
type kv []any

func (m kv) append(b mp) mp {
	b = b.mapHeader(len(m) / 2)
	for i := 0; i+1 < len(m); i += 2 {
		b = b.str(m[i].(string)).any(m[i+1])
	}
	return b
}

// encode returns the msgpack bytes of an ordered map.
func (m kv) encode() []byte { return m.append(make(mp, 0, 64)) }
