package tlpack

import (
	"errors"
	"fmt"
	"math"
)

// A minimal msgpack reader over byte slices (the writer is internal/msgpackw):
// working on slices keeps transcoding free of per-value allocations.

// reader reads msgpack values from a byte slice.
type reader struct {
	b   []byte
	off int
}

var errShort = errors.New("msgpack input ends early")

// kindName describes the value at the reader's position for error messages.
func kindName(c byte) string {
	switch {
	case c <= 0x7f || c >= 0xe0 || (c >= 0xcc && c <= 0xd3):
		return "int"
	case c >= 0x80 && c <= 0x8f, c == 0xde, c == 0xdf:
		return "map"
	case c >= 0x90 && c <= 0x9f, c == 0xdc, c == 0xdd:
		return "array"
	case c >= 0xa0 && c <= 0xbf, c >= 0xd9 && c <= 0xdb:
		return "str"
	case c == 0xc0:
		return "nil"
	case c == 0xc2, c == 0xc3:
		return "bool"
	case c >= 0xc4 && c <= 0xc6:
		return "bin"
	case c == 0xca, c == 0xcb:
		return "float"
	}
	return "ext"
}

func (r *reader) peek() (byte, error) {
	if r.off >= len(r.b) {
		return 0, errShort
	}
	return r.b[r.off], nil
}

func (r *reader) n(k int) ([]byte, error) {
	if k < 0 || len(r.b)-r.off < k {
		return nil, errShort
	}
	s := r.b[r.off : r.off+k]
	r.off += k
	return s, nil
}

func (r *reader) uintN(size int) (uint64, error) {
	s, err := r.n(size)
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range s {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

type typeError struct{ want, got string }

func (e *typeError) Error() string { return fmt.Sprintf("expected %s, got %s", e.want, e.got) }

func (r *reader) isNil() bool { return r.off < len(r.b) && r.b[r.off] == 0xc0 }

func (r *reader) mapLen() (int, error) {
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	switch {
	case c >= 0x80 && c <= 0x8f:
		r.off++
		return int(c & 0x0f), nil
	case c == 0xde:
		r.off++
		v, err := r.uintN(2)
		return int(v), err
	case c == 0xdf:
		r.off++
		v, err := r.uintN(4)
		return r.checkCount(v, 2, err)
	}
	return 0, &typeError{"map", kindName(c)}
}

func (r *reader) arrayLen() (int, error) {
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	switch {
	case c >= 0x90 && c <= 0x9f:
		r.off++
		return int(c & 0x0f), nil
	case c == 0xdc:
		r.off++
		v, err := r.uintN(2)
		return r.checkCount(v, 1, err)
	case c == 0xdd:
		r.off++
		v, err := r.uintN(4)
		return r.checkCount(v, 1, err)
	}
	return 0, &typeError{"array", kindName(c)}
}

// checkCount bounds an element count by the bytes left (each element takes at
// least one byte), so hostile input cannot force a large allocation.
func (r *reader) checkCount(v uint64, per int, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	if v*uint64(per) > uint64(len(r.b)-r.off) {
		return 0, fmt.Errorf("count %d does not fit in the %d bytes left", v, len(r.b)-r.off)
	}
	return int(v), nil
}

// str reads a str (or, when allowBin, a bin) and returns its bytes aliasing
// the input.
func (r *reader) str(allowBin bool) ([]byte, error) {
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	var n uint64
	switch {
	case c >= 0xa0 && c <= 0xbf:
		r.off++
		n = uint64(c & 0x1f)
	case c == 0xd9:
		r.off++
		n, err = r.uintN(1)
	case c == 0xda:
		r.off++
		n, err = r.uintN(2)
	case c == 0xdb:
		r.off++
		n, err = r.uintN(4)
	case allowBin && c >= 0xc4 && c <= 0xc6:
		return r.bin(false)
	default:
		want := "str"
		if allowBin {
			want = "bin or str"
		}
		return nil, &typeError{want, kindName(c)}
	}
	if err != nil {
		return nil, err
	}
	return r.n(int(n))
}

func (r *reader) bin(allowStr bool) ([]byte, error) {
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	var n uint64
	switch c {
	case 0xc4:
		r.off++
		n, err = r.uintN(1)
	case 0xc5:
		r.off++
		n, err = r.uintN(2)
	case 0xc6:
		r.off++
		n, err = r.uintN(4)
	default:
		if allowStr {
			return r.str(false)
		}
		return nil, &typeError{"bin", kindName(c)}
	}
	if err != nil {
		return nil, err
	}
	return r.n(int(n))
}

var errOverflow = errors.New("integer out of range")

func (r *reader) int() (int64, error) {
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	if c <= 0x7f {
		r.off++
		return int64(c), nil
	}
	if c >= 0xe0 {
		r.off++
		return int64(int8(c)), nil
	}
	var size int
	signed := false
	switch c {
	case 0xcc, 0xcd, 0xce, 0xcf:
		size = 1 << (c - 0xcc)
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size = 1 << (c - 0xd0)
		signed = true
	default:
		return 0, &typeError{"int", kindName(c)}
	}
	r.off++
	v, err := r.uintN(size)
	if err != nil {
		return 0, err
	}
	if !signed {
		if v > math.MaxInt64 {
			return 0, errOverflow
		}
		return int64(v), nil
	}
	shift := 64 - 8*size
	return int64(v<<shift) >> shift, nil
}

func (r *reader) float() (float64, error) {
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	switch c {
	case 0xca:
		r.off++
		v, err := r.uintN(4)
		return float64(math.Float32frombits(uint32(v))), err
	case 0xcb:
		r.off++
		v, err := r.uintN(8)
		return math.Float64frombits(v), err
	}
	if kindName(c) == "int" {
		v, err := r.int()
		return float64(v), err
	}
	return 0, &typeError{"float", kindName(c)}
}

func (r *reader) bool() (bool, error) {
	c, err := r.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case 0xc2:
		r.off++
		return false, nil
	case 0xc3:
		r.off++
		return true, nil
	}
	return false, &typeError{"bool", kindName(c)}
}

// skip moves past one value of any kind.
func (r *reader) skip(depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch {
	case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
		r.off++
		return nil
	case c >= 0xcc && c <= 0xd3:
		_, err := r.int()
		return err
	case c == 0xca || c == 0xcb:
		_, err := r.float()
		return err
	case kindName(c) == "str":
		_, err := r.str(false)
		return err
	case kindName(c) == "bin":
		_, err := r.bin(false)
		return err
	case kindName(c) == "array":
		n, err := r.arrayLen()
		for i := 0; i < n && err == nil; i++ {
			err = r.skip(depth + 1)
		}
		return err
	case kindName(c) == "map":
		n, err := r.mapLen()
		for i := 0; i < 2*n && err == nil; i++ {
			err = r.skip(depth + 1)
		}
		return err
	}
	// ext family
	r.off++
	var size uint64
	switch c {
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		size = 1 << (c - 0xd4)
	case 0xc7, 0xc8, 0xc9:
		size, err = r.uintN(1 << (c - 0xc7))
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("invalid msgpack byte %#02x", c)
	}
	_, err = r.n(int(size) + 1)
	return err
}
