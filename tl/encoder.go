package tl

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// Encoder appends TL-encoded values to a byte slice. The zero value is ready
// to use; Reset reuses the buffer.
type Encoder struct {
	buf []byte
	err error
}

// NewEncoder returns an Encoder appending to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf[:0]} }

// Bytes returns the encoded bytes so far.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Err returns the first error met while encoding.
func (e *Encoder) Err() error { return e.err }

// Reset clears the encoder, keeping its buffer.
func (e *Encoder) Reset() { e.buf, e.err = e.buf[:0], nil }

// Fail records err unless an earlier error is already recorded.
func (e *Encoder) Fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// Uint32 writes a 32-bit word (constructor ids and flags).
func (e *Encoder) Uint32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }

// Int writes a TL int.
func (e *Encoder) Int(v int32) { e.Uint32(uint32(v)) }

// Long writes a TL long.
func (e *Encoder) Long(v int64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(v)) }

// Double writes a TL double.
func (e *Encoder) Double(v float64) { e.Long(int64(math.Float64bits(v))) }

// Int128 writes a TL int128.
func (e *Encoder) Int128(v Int128) { e.buf = append(e.buf, v[:]...) }

// Int256 writes a TL int256.
func (e *Encoder) Int256(v Int256) { e.buf = append(e.buf, v[:]...) }

// Bool writes a boxed Bool (boolTrue or boolFalse).
func (e *Encoder) Bool(v bool) {
	if v {
		e.Uint32(BoolTrueID)
	} else {
		e.Uint32(BoolFalseID)
	}
}

// String writes a TL string.
func (e *Encoder) String(s string) {
	e.header(len(s))
	e.buf = append(e.buf, s...)
	e.pad(len(s))
}

// BytesValue writes TL bytes (same wire form as a string).
func (e *Encoder) BytesValue(b []byte) {
	e.header(len(b))
	e.buf = append(e.buf, b...)
	e.pad(len(b))
}

// header writes the length prefix of a string: one byte below 254, else 0xfe
// and three length bytes.
func (e *Encoder) header(n int) {
	if n <= 253 {
		e.buf = append(e.buf, byte(n))
		return
	}
	if n > MaxStringLen {
		e.Fail(fmt.Errorf("tl: string of %d bytes is longer than TL allows (%d)", n, MaxStringLen))
	}
	e.buf = append(e.buf, 0xfe, byte(n), byte(n>>8), byte(n>>16))
}

func (e *Encoder) pad(n int) {
	total := n + 1
	if n > 253 {
		total = n + 4
	}
	for total%4 != 0 {
		e.buf = append(e.buf, 0)
		total++
	}
}

// VectorHeader writes the boxed vector id and the element count.
func (e *Encoder) VectorHeader(n int) {
	e.Uint32(VectorID)
	e.Int(int32(n))
}

// Object writes a boxed object: its constructor id, then its fields. A nil
// object records an error naming the field.
func (e *Encoder) Object(o Object, field string) {
	if o == nil || isNilObject(o) {
		e.Fail(&EncodeError{Field: field, Msg: "required object is nil"})
		return
	}
	e.Uint32(o.TypeID())
	o.EncodeBare(e)
}

// Raw appends bytes as they are (an already encoded value).
func (e *Encoder) Raw(b []byte) { e.buf = append(e.buf, b...) }

// isNilObject reports a typed nil pointer stored in the interface (every
// generated type is a pointer), without reflection: the interface's data
// word is nil exactly then.
func isNilObject(o Object) bool {
	type iface struct{ tab, data unsafe.Pointer }
	return (*iface)(unsafe.Pointer(&o)).data == nil
}

// EncodeError reports a value that cannot be encoded.
type EncodeError struct {
	Field string
	Msg   string
}

func (e *EncodeError) Error() string {
	if e.Field == "" {
		return "tl: encode: " + e.Msg
	}
	return "tl: encode " + e.Field + ": " + e.Msg
}

// Encode returns the boxed TL encoding of o.
func Encode(o Object) ([]byte, error) {
	var e Encoder
	e.Object(o, Name(o))
	return e.buf, e.err
}

// EncodeTo appends the boxed TL encoding of o to buf.
func EncodeTo(buf []byte, o Object) ([]byte, error) {
	e := Encoder{buf: buf}
	e.Object(o, "")
	return e.buf, e.err
}

// IntVector writes a boxed Vector<int>.
func (e *Encoder) IntVector(v []int32) {
	e.VectorHeader(len(v))
	for _, x := range v {
		e.Int(x)
	}
}

// LongVector writes a boxed Vector<long>.
func (e *Encoder) LongVector(v []int64) {
	e.VectorHeader(len(v))
	for _, x := range v {
		e.Long(x)
	}
}

// DoubleVector writes a boxed Vector<double>.
func (e *Encoder) DoubleVector(v []float64) {
	e.VectorHeader(len(v))
	for _, x := range v {
		e.Double(x)
	}
}

// StringVector writes a boxed Vector<string>.
func (e *Encoder) StringVector(v []string) {
	e.VectorHeader(len(v))
	for _, x := range v {
		e.String(x)
	}
}

// BytesVector writes a boxed Vector<bytes>.
func (e *Encoder) BytesVector(v [][]byte) {
	e.VectorHeader(len(v))
	for _, x := range v {
		e.BytesValue(x)
	}
}

// ObjectVector writes a boxed vector of boxed objects.
func ObjectVector[T Object](e *Encoder, v []T, field string) {
	e.VectorHeader(len(v))
	for _, x := range v {
		e.Object(x, field)
	}
}

// BareVector writes a vector whose elements are encoded by enc. boxed selects
// Vector (with id) or vector (count only).
func BareVector[T any](e *Encoder, v []T, boxed bool, enc func(*Encoder, T)) {
	if boxed {
		e.Uint32(VectorID)
	}
	e.Int(int32(len(v)))
	for _, x := range v {
		enc(e, x)
	}
}

// BareObject writes an object's fields without its constructor id (for bare
// references such as %T or vector<future_salt>). A nil object records an error.
func (e *Encoder) BareObject(o Object, field string) {
	if o == nil || isNilObject(o) {
		e.Fail(&EncodeError{Field: field, Msg: "required object is nil"})
		return
	}
	o.EncodeBare(e)
}

// Truncate drops everything after the first n bytes.
func (e *Encoder) Truncate(n int) {
	if n >= 0 && n <= len(e.buf) {
		e.buf = e.buf[:n]
	}
}

// PatchUint32 overwrites the 32-bit word at byte offset at (written earlier).
func (e *Encoder) PatchUint32(at int, v uint32) {
	binary.LittleEndian.PutUint32(e.buf[at:], v)
}
