package tl

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Limits of what a hostile input can make the decoder do.
const (
	// MaxStringLen is the longest string TL can express (3 length bytes).
	MaxStringLen = 1<<24 - 1
	// MaxDepth bounds the nesting of objects (rich text and page blocks nest
	// legitimately, but never this deep).
	MaxDepth = 256
	// DefaultGzipLimit bounds the output of one gzip_packed value.
	DefaultGzipLimit = 64 << 20
)

// ErrUnexpectedEnd is wrapped by a DecodeError when the input ends early.
var ErrUnexpectedEnd = errors.New("unexpected end of input")

// DecodeError says what failed and at which byte offset decoding stopped.
type DecodeError struct {
	// Offset is the byte offset in the input where the failing read began.
	Offset int
	// What names the value being read (a type, a field, or a primitive).
	What string
	// Err is the cause.
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("tl: decode %s at offset %d: %v", e.What, e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// UnknownConstructorError is the cause of a DecodeError for an id that is not
// a constructor of the expected type.
type UnknownConstructorError struct {
	ID   uint32
	Type string
}

func (e *UnknownConstructorError) Error() string {
	return fmt.Sprintf("constructor %08x is not a known %s", e.ID, e.Type)
}

// Decoder reads TL values from a byte slice. Errors are sticky: after the
// first failure reads return zero values and Err reports the failure.
//
// Strings and byte fields share one copy of the input made on the first such
// read, so decoding a message allocates once for all its text, not once per
// field; the copy is not the caller's buffer, which may be reused.
type Decoder struct {
	buf   []byte
	off   int
	err   error
	depth int
	str   string // lazily made copy of buf, backing strings
	bin   []byte // lazily made copy of buf, backing byte fields
	// GzipLimit bounds the decompressed size of gzip_packed values
	// (DefaultGzipLimit when zero).
	GzipLimit int
}

// NewDecoder returns a Decoder over b.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Reset points the decoder at new input, keeping its settings.
func (d *Decoder) Reset(b []byte) {
	*d = Decoder{buf: b, GzipLimit: d.GzipLimit}
}

// Err returns the first error met.
func (d *Decoder) Err() error { return d.err }

// Offset returns the current read offset.
func (d *Decoder) Offset() int { return d.off }

// Remaining returns the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Rest returns the unread bytes (aliasing the input).
func (d *Decoder) Rest() []byte { return d.buf[d.off:] }

// Fail records a failure at the current offset unless one is already recorded.
func (d *Decoder) Fail(what string, err error) {
	if d.err == nil {
		d.err = &DecodeError{Offset: d.off, What: what, Err: err}
	}
}

// Unknown records an unknown constructor id for type typ. The offset points
// at the id.
func (d *Decoder) Unknown(id uint32, typ string) {
	if d.err == nil {
		d.err = &DecodeError{Offset: d.off - 4, What: typ, Err: &UnknownConstructorError{ID: id, Type: typ}}
	}
}

func (d *Decoder) need(n int, what string) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.buf)-d.off < n {
		d.Fail(what, ErrUnexpectedEnd)
		return false
	}
	return true
}

// Uint32 reads a 32-bit word.
func (d *Decoder) Uint32() uint32 {
	if !d.need(4, "int") {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.buf[d.off:])
	d.off += 4
	return v
}

// PeekUint32 returns the next word without consuming it (0 at the end).
func (d *Decoder) PeekUint32() uint32 {
	if d.err != nil || len(d.buf)-d.off < 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(d.buf[d.off:])
}

// Int reads a TL int.
func (d *Decoder) Int() int32 { return int32(d.Uint32()) }

// Long reads a TL long.
func (d *Decoder) Long() int64 {
	if !d.need(8, "long") {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.buf[d.off:])
	d.off += 8
	return int64(v)
}

// Double reads a TL double.
func (d *Decoder) Double() float64 { return math.Float64frombits(uint64(d.Long())) }

// Int128 reads a TL int128.
func (d *Decoder) Int128() (v Int128) {
	if d.need(16, "int128") {
		copy(v[:], d.buf[d.off:])
		d.off += 16
	}
	return v
}

// Int256 reads a TL int256.
func (d *Decoder) Int256() (v Int256) {
	if d.need(32, "int256") {
		copy(v[:], d.buf[d.off:])
		d.off += 32
	}
	return v
}

// Bool reads a boxed Bool.
func (d *Decoder) Bool() bool {
	switch id := d.Uint32(); id {
	case BoolTrueID:
		return true
	case BoolFalseID:
		return false
	default:
		d.Unknown(id, "Bool")
		return false
	}
}

// span reads a string header and returns the payload bounds.
func (d *Decoder) span() (start, end int, ok bool) {
	if !d.need(1, "string") {
		return 0, 0, false
	}
	start = d.off
	n := int(d.buf[d.off])
	hdr := 1
	if n == 254 {
		if !d.need(4, "string") {
			return 0, 0, false
		}
		n = int(d.buf[d.off+1]) | int(d.buf[d.off+2])<<8 | int(d.buf[d.off+3])<<16
		hdr = 4
	} else if n == 255 {
		d.Fail("string", errors.New("invalid length prefix 0xff"))
		return 0, 0, false
	}
	total := hdr + n
	padded := (total + 3) &^ 3
	if !d.need(padded, "string") {
		return 0, 0, false
	}
	d.off += padded
	return start + hdr, start + hdr + n, true
}

// String reads a TL string.
func (d *Decoder) String() string {
	s, e, ok := d.span()
	if !ok || s == e {
		return ""
	}
	if d.str == "" {
		d.str = string(d.buf)
	}
	return d.str[s:e]
}

// Bytes reads TL bytes. The result never aliases the caller's input.
func (d *Decoder) Bytes() []byte {
	s, e, ok := d.span()
	if !ok {
		return nil
	}
	if s == e {
		return []byte{}
	}
	if d.bin == nil {
		d.bin = bytes.Clone(d.buf)
	}
	return d.bin[s:e:e]
}

// BytesRef reads TL bytes aliasing the input, for callers that own it.
func (d *Decoder) BytesRef() []byte {
	s, e, ok := d.span()
	if !ok {
		return nil
	}
	return d.buf[s:e:e]
}

// VectorLen reads a boxed vector header and returns the element count. The
// count is checked against the remaining input, assuming each element takes
// at least minElem bytes, so no allocation can exceed the input's size.
func (d *Decoder) VectorLen(minElem int) int {
	if id := d.Uint32(); id != VectorID && d.err == nil {
		d.Unknown(id, "Vector")
		return 0
	}
	return d.BareVectorLen(minElem)
}

// BareVectorLen reads a bare vector's count (see VectorLen).
func (d *Decoder) BareVectorLen(minElem int) int {
	n := d.Int()
	if d.err != nil {
		return 0
	}
	if minElem < 1 {
		minElem = 1
	}
	if n < 0 || int64(n)*int64(minElem) > int64(d.Remaining()) {
		d.off -= 4
		d.Fail("vector", fmt.Errorf("element count %d does not fit in the %d bytes left", n, d.Remaining()-4))
		return 0
	}
	return int(n)
}

// Enter marks the start of a nested object; it fails beyond MaxDepth.
func (d *Decoder) Enter() bool {
	d.depth++
	if d.depth > MaxDepth {
		d.Fail("object", fmt.Errorf("nesting deeper than %d", MaxDepth))
		return false
	}
	return d.err == nil
}

// Leave marks the end of a nested object.
func (d *Decoder) Leave() { d.depth-- }

// IntVector reads a boxed Vector<int>.
func (d *Decoder) IntVector() []int32 {
	n := d.VectorLen(4)
	v := make([]int32, n)
	for i := range v {
		v[i] = d.Int()
	}
	return v
}

// LongVector reads a boxed Vector<long>.
func (d *Decoder) LongVector() []int64 {
	n := d.VectorLen(8)
	v := make([]int64, n)
	for i := range v {
		v[i] = d.Long()
	}
	return v
}

// DoubleVector reads a boxed Vector<double>.
func (d *Decoder) DoubleVector() []float64 {
	n := d.VectorLen(8)
	v := make([]float64, n)
	for i := range v {
		v[i] = d.Double()
	}
	return v
}

// StringVector reads a boxed Vector<string>.
func (d *Decoder) StringVector() []string {
	n := d.VectorLen(4)
	v := make([]string, n)
	for i := range v {
		v[i] = d.String()
	}
	return v
}

// BytesVector reads a boxed Vector<bytes>.
func (d *Decoder) BytesVector() [][]byte {
	n := d.VectorLen(4)
	v := make([][]byte, n)
	for i := range v {
		v[i] = d.Bytes()
	}
	return v
}

// DecodeVector reads a vector whose elements are read by dec. boxed selects
// Vector (with id) or vector (count only); minElem bounds the count.
func DecodeVector[T any](d *Decoder, boxed bool, minElem int, dec func(*Decoder) T) []T {
	var n int
	if boxed {
		n = d.VectorLen(minElem)
	} else {
		n = d.BareVectorLen(minElem)
	}
	v := make([]T, n)
	for i := range v {
		if d.err != nil {
			return v[:i]
		}
		v[i] = dec(d)
	}
	return v
}

// Gunzip decompresses a gzip_packed payload, refusing output over limit bytes.
func Gunzip(data []byte, limit int) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultGzipLimit
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("tl: gzip_packed: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("tl: gzip_packed: %w", err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("tl: gzip_packed: output exceeds the %d-byte limit", limit)
	}
	return out, nil
}

// Gzip compresses data for a gzip_packed value.
func Gzip(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// Unpack returns the decoder's remaining input, transparently decompressing
// it when it starts with gzip_packed. It is used where the server may send a
// gzip_packed value in place of any object (rpc_result results, messages).
func (d *Decoder) Unpack() *Decoder {
	if d.PeekUint32() != GzipPackedID {
		return d
	}
	d.Uint32()
	packed := d.BytesRef()
	if d.err != nil {
		return d
	}
	out, err := Gunzip(packed, d.GzipLimit)
	if err != nil {
		d.Fail("gzip_packed", err)
		return d
	}
	return &Decoder{buf: out, GzipLimit: d.GzipLimit, depth: d.depth}
}

// Decode decodes a boxed object from b with a registry function (such as
// api.New) and requires that all input is consumed.
func Decode(b []byte, newObject func(id uint32) Object) (Object, error) {
	d := NewDecoder(b)
	o := DecodeObject(d, newObject)
	if d.err == nil && d.Remaining() != 0 {
		d.Fail(Name(o), fmt.Errorf("%d trailing bytes", d.Remaining()))
	}
	if d.err != nil {
		return nil, d.err
	}
	return o, nil
}

// DecodeObject decodes one boxed object of any type using newObject.
func DecodeObject(d *Decoder, newObject func(id uint32) Object) Object {
	id := d.Uint32()
	if d.err != nil {
		return nil
	}
	o := newObject(id)
	if o == nil {
		d.Unknown(id, "Object")
		return nil
	}
	if !d.Enter() {
		return nil
	}
	o.DecodeBare(d)
	d.Leave()
	if d.err != nil {
		return nil
	}
	return o
}

// DecodeBare reads the fields of a bare object into o and returns it.
func DecodeBare[T Object](d *Decoder, o T) T {
	if d.Enter() {
		o.DecodeBare(d)
	}
	d.Leave()
	return o
}

// DecodeWrappedResult decodes the result of a generic wrapper (such as
// invokeWithLayer) as the result of the query it wraps.
func DecodeWrappedResult(d *Decoder, query Object) (any, error) {
	f, ok := query.(Function)
	if !ok || isNilObject(query) {
		return nil, &DecodeError{Offset: d.off, What: "result", Err: errors.New("the wrapped query is not a function")}
	}
	return f.DecodeResult(d)
}

// Take consumes the next n bytes and returns them aliasing the input.
func (d *Decoder) Take(n int) []byte {
	if !d.need(n, "bytes") {
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}
