// Package tl is the runtime of Polygram's TL codec: an Encoder and a Decoder
// for every TL primitive, the Object interface that every generated type
// implements, and the small helper types the generated code uses.
//
// The generated packages (tl/mt for the MTProto service schema, tl/api for the
// Telegram API) import only this package. Encoding and decoding use sticky
// errors: after the first failure every further read returns a zero value and
// the first error is reported by Err, so generated code stays short and a
// hostile input cannot make the decoder panic or allocate beyond its bounds.
package tl

import (
	"fmt"
	"sort"
)

// Object is a TL value with a constructor id: every generated constructor and
// function type implements it.
type Object interface {
	// TypeID returns the constructor id.
	TypeID() uint32
	// EncodeBare writes the fields without the constructor id.
	EncodeBare(e *Encoder)
	// DecodeBare reads the fields that follow the constructor id.
	DecodeBare(d *Decoder)
}

// namers are the Name functions of the generated packages linked into the
// program (api.Name, mt.Name), registered by their init functions.
var namers []func(id uint32) string

// RegisterNames adds a generated package's id → schema name lookup to Name.
// Generated packages call it from init; it is not safe to call concurrently
// with Name.
func RegisterNames(f func(id uint32) string) { namers = append(namers, f) }

// Named is implemented by hand-written TL types whose constructors are not
// in the generated tables (mt.RPCResult, mt.MsgContainer, mt.Message, ...).
type Named interface {
	TypeName() string
}

// LookupName finds id in a generated name table and returns its name from
// text, or "". Each index entry is id<<32 | the offset of the name in text,
// sorted; a name ends where the next entry's starts.
func LookupName(text string, index []uint64, id uint32) string {
	i := sort.Search(len(index), func(i int) bool { return uint32(index[i]>>32) >= id })
	if i == len(index) || uint32(index[i]>>32) != id {
		return ""
	}
	end := uint32(len(text))
	if i+1 < len(index) {
		end = uint32(index[i+1])
	}
	return text[uint32(index[i]):end]
}

// Name returns the schema name of o ("messages.sendMessage"), looked up by
// its constructor id in the generated packages, or "#xxxxxxxx" for an id none
// of them knows. Names live in one table per package rather than in a method
// per type, which keeps the shared library smaller (docs/tl.md).
func Name(o Object) string {
	if o == nil {
		return "<nil>"
	}
	if n, ok := o.(Named); ok {
		return n.TypeName()
	}
	id := o.TypeID()
	for _, f := range namers {
		if n := f(id); n != "" {
			return n
		}
	}
	return fmt.Sprintf("#%08x", id)
}

// Function is an Object that is an RPC function: it knows how to decode the
// value the server returns for it.
type Function interface {
	Object
	// DecodeResult decodes the function's result from d (the bytes of
	// rpc_result's result field). For generic wrappers such as
	// invokeWithLayer it is the result of the wrapped query.
	DecodeResult(d *Decoder) (any, error)
}

// Opt is an optional value of a conditional (`flags.N?T`) field whose type is
// a scalar. The zero value is absent; Some makes a present value, so an
// explicit 0 or "" can be sent.
type Opt[T any] struct {
	Val T
	Set bool
}

// Some returns a present optional value.
func Some[T any](v T) Opt[T] { return Opt[T]{Val: v, Set: true} }

// Get returns the value and whether it is present.
func (o Opt[T]) Get() (T, bool) { return o.Val, o.Set }

// Or returns the value, or def when absent.
func (o Opt[T]) Or(def T) T {
	if o.Set {
		return o.Val
	}
	return def
}

// String formats the value, or "<absent>".
func (o Opt[T]) String() string {
	if !o.Set {
		return "<absent>"
	}
	return fmt.Sprint(o.Val)
}

// Int128 is a TL int128: 16 bytes in wire order.
type Int128 [16]byte

// Int256 is a TL int256: 32 bytes in wire order.
type Int256 [32]byte

// Well-known constructor ids handled by the runtime itself.
const (
	VectorID     uint32 = 0x1cb5c415
	BoolTrueID   uint32 = 0x997275b5
	BoolFalseID  uint32 = 0xbc799737
	GzipPackedID uint32 = 0x3072cfa1
)

// NoCompare is a zero-size field that makes generated structs
// non-comparable: the compiler then emits no equality function for each of
// them, which keeps the shared library smaller. Compare TL values with
// reflect.DeepEqual or by their encodings.
type NoCompare [0]func()
