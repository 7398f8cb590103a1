// Package msgpackw appends msgpack values to byte slices: the few formats
// Polygram writes, shared by the TL bridge (tl/tlpack) and the C API, with
// no allocation beyond the slice's growth.
package msgpackw

import (
	"encoding/binary"
	"math"
)

// MapHeader appends the header of a map of n entries.
func MapHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, 0x80|byte(n))
	case n <= math.MaxUint16:
		return append(b, 0xde, byte(n>>8), byte(n))
	}
	return append(b, 0xdf, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// MapHeader16 appends a map16 header with a count to be patched later by
// PatchMapHeader16 (for maps whose size is known only at the end), and
// returns where it starts.
func MapHeader16(b []byte) ([]byte, int) {
	at := len(b)
	return append(b, 0xde, 0, 0), at
}

// PatchMapHeader16 sets the count of a header written by MapHeader16.
func PatchMapHeader16(b []byte, at, n int) { binary.BigEndian.PutUint16(b[at+1:], uint16(n)) }

// ArrayHeader appends the header of an array of n elements.
func ArrayHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, 0x90|byte(n))
	case n <= math.MaxUint16:
		return append(b, 0xdc, byte(n>>8), byte(n))
	}
	return append(b, 0xdd, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func strHeader(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		return append(b, 0xd9, byte(n))
	case n <= math.MaxUint16:
		return append(b, 0xda, byte(n>>8), byte(n))
	}
	return append(b, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// Str appends a str.
func Str(b []byte, s string) []byte { return append(strHeader(b, len(s)), s...) }

// StrBytes appends a str whose bytes are given as a slice.
func StrBytes(b []byte, s []byte) []byte { return append(strHeader(b, len(s)), s...) }

// Bin appends a bin.
func Bin(b []byte, s []byte) []byte {
	n := len(s)
	switch {
	case n <= math.MaxUint8:
		b = append(b, 0xc4, byte(n))
	case n <= math.MaxUint16:
		b = append(b, 0xc5, byte(n>>8), byte(n))
	default:
		b = append(b, 0xc6, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, s...)
}

// Int appends an integer in its smallest form.
func Int(b []byte, v int64) []byte {
	switch {
	case v >= 0 && v < 128:
		return append(b, byte(v))
	case v < 0 && v >= -32:
		return append(b, byte(v))
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(b, 0xd0, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(b, 0xd1, byte(v>>8), byte(v))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(b, 0xd2, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(v))
}

// Uint appends an unsigned integer.
func Uint(b []byte, v uint64) []byte {
	if v <= math.MaxInt64 {
		return Int(b, int64(v))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xcf), v)
}

// Float appends a float64.
func Float(b []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(v))
}

// Bool appends a bool.
func Bool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xc3)
	}
	return append(b, 0xc2)
}

// Nil appends nil.
func Nil(b []byte) []byte { return append(b, 0xc0) }
