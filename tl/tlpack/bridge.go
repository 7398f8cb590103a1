// Package tlpack converts TL values between their wire encoding and msgpack,
// the encoding of Polygram's C API and bindings.
//
// A TL object in msgpack is a map whose key "_" is the schema name
// ("messages.sendMessage", "message") and whose other keys are the schema's
// field names: int and long become msgpack ints, double a float,
// string a str, bytes/int128/int256 a bin, Bool and `true` flags a bool,
// vectors arrays. Absent optional fields are omitted (and `true` flags that
// are not set); flags words are never written and are computed on the way
// back. A nil value for an optional field means absent.
//
// The bridge transcodes bytes to bytes, driven by a table compiled once from
// the schema text the generated package embeds (api.SchemaText), so it needs
// no reflection and never builds Go objects: converting a server response to
// msgpack for a binding costs one pass over the bytes.
package tlpack

import (
	"errors"
	"fmt"
	"strings"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/schema"
)

const maxDepth = tl.MaxDepth

var errTooDeep = fmt.Errorf("nesting deeper than %d", maxDepth)

type kind uint8

const (
	kInt kind = iota
	kLong
	kDouble
	kString
	kBytes
	kInt128
	kInt256
	kBool
	kTrue
	kFlags
	kVector
	kObject  // boxed object of a named type (or of any type when typ == "")
	kBare    // bare constructor
	kGeneric // !X: any boxed function call
)

type tref struct {
	kind  kind
	boxed bool   // for vectors: Vector (with id) or vector
	elem  *tref  // vector element
	typ   string // for kObject: the abstract type; "" accepts any constructor
	bare  *ctor  // for kBare
	text  string // as written in the schema, for messages
}

type param struct {
	name string
	key  string // name as a msgpack key
	t    *tref
	// flagIdx is the ordinal of the flags word a conditional field depends
	// on (or, for a flags word, its own ordinal); -1 for other fields.
	flagIdx int
	bit     uint32
}

type ctor struct {
	id     uint32
	name   string
	typ    string // abstract type (constructors) or result text (functions)
	fn     bool
	params []param
	result *tref // functions
	// generic is the index of the !X parameter of a generic function, or -1.
	generic int
	nflags  int
	fields  map[string]int // msgpack key → index into params
	// shared[i] reports that params[i] shares its flag bit with an earlier
	// non-true field.
	shared []bool
}

func (c *ctor) index(key []byte) (int, bool) {
	i, ok := c.fields[string(key)]
	return i, ok
}

func (c *ctor) sharedBit(i int) bool { return c.shared[i] }

// maxFlagWords bounds the flags words of one combinator (the schemas use two).
const maxFlagWords = 4

// Bridge converts between TL bytes and msgpack for one schema.
type Bridge struct {
	byID   map[uint32]*ctor
	byName map[string]*ctor
	types  map[string]bool
	layer  int
}

// Error reports a value that could not be converted, naming where it is.
type Error struct {
	// Path is the chain of constructor and field names leading to the value,
	// e.g. "messages.sendMessage.peer.user_id".
	Path string
	// Offset is the byte offset in the input where the failure was found.
	Offset int
	Err    error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("tlpack: at byte %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("tlpack: %s: %v (at byte %d)", e.Path, e.Err, e.Offset)
}

func (e *Error) Unwrap() error { return e.Err }

// pathError accumulates the path while an error unwinds.
type pathError struct {
	path []string
	off  int
	err  error
}

func (e *pathError) Error() string { return e.err.Error() }

func wrap(err error, name string, off int) error {
	if err == nil {
		return nil
	}
	pe, ok := err.(*pathError)
	if !ok {
		pe = &pathError{err: err, off: off}
	}
	if name != "" {
		pe.path = append(pe.path, name)
	}
	return pe
}

func finish(err error) error {
	if err == nil {
		return nil
	}
	pe, ok := err.(*pathError)
	if !ok {
		return &Error{Err: err}
	}
	parts := make([]string, len(pe.path))
	for i, p := range pe.path {
		parts[len(parts)-1-i] = p
	}
	return &Error{Path: strings.Join(parts, "."), Offset: pe.off, Err: pe.err}
}

// New compiles a bridge from schema text (as embedded by the generated
// packages).
func New(schemaText string) (*Bridge, error) {
	s, err := schema.Parse(schemaText, schema.Options{})
	if err != nil {
		return nil, err
	}
	b := &Bridge{byID: map[uint32]*ctor{}, byName: map[string]*ctor{}, types: map[string]bool{}, layer: s.Layer}
	for _, c := range s.Constructors {
		b.types[c.Result.Name] = true
	}
	all := append(append([]*schema.Combinator{}, s.Constructors...), s.Functions...)
	for _, c := range all {
		b.byName[c.Name] = &ctor{id: c.ID, name: c.Name, typ: c.Result.Name, fn: c.Function, generic: -1}
		b.byID[c.ID] = b.byName[c.Name]
	}
	for _, c := range all {
		k := b.byName[c.Name]
		for _, p := range c.Params {
			t, err := b.compile(p.Type)
			if err != nil {
				return nil, fmt.Errorf("tlpack: %s.%s: %v", c.Name, p.Name, err)
			}
			cp := param{name: p.Name, key: p.Name, t: t, flagIdx: -1}
			if t.kind == kFlags {
				cp.flagIdx = k.nflags
				k.nflags++
				if k.nflags > maxFlagWords {
					return nil, fmt.Errorf("tlpack: %s has more than %d flags words", c.Name, maxFlagWords)
				}
			}
			if p.Conditional() {
				for _, q := range k.params {
					if q.name == p.FlagField {
						cp.flagIdx, cp.bit = q.flagIdx, uint32(p.FlagBit)
					}
				}
			}
			if t.kind == kGeneric {
				k.generic = len(k.params)
			}
			k.params = append(k.params, cp)
		}
		k.fields = make(map[string]int, len(k.params))
		k.shared = make([]bool, len(k.params))
		for i, p := range k.params {
			k.fields[p.key] = i
			for _, q := range k.params[:i] {
				if p.flagIdx >= 0 && p.t.kind != kFlags && q.t.kind != kFlags && q.t.kind != kTrue &&
					q.flagIdx == p.flagIdx && q.bit == p.bit {
					k.shared[i] = true
				}
			}
		}
		if c.Function && !c.Result.TypeParam {
			r, err := b.compile(c.Result)
			if err != nil {
				return nil, fmt.Errorf("tlpack: %s result: %v", c.Name, err)
			}
			k.result = r
			k.typ = c.Result.String()
		}
	}
	return b, nil
}

// Layer returns the schema's layer (0 when it has none).
func (b *Bridge) Layer() int { return b.layer }

func (b *Bridge) compile(t schema.TypeRef) (*tref, error) {
	r := &tref{text: t.String()}
	switch {
	case t.Generic:
		r.kind = kGeneric
		return r, nil
	case t.Elem != nil:
		e, err := b.compile(*t.Elem)
		if err != nil {
			return nil, err
		}
		r.kind, r.boxed, r.elem = kVector, t.Name == "Vector", e
		return r, nil
	}
	switch t.Name {
	case "int":
		r.kind = kInt
	case "long":
		r.kind = kLong
	case "double":
		r.kind = kDouble
	case "string":
		r.kind = kString
	case "bytes":
		r.kind = kBytes
	case "int128":
		r.kind = kInt128
	case "int256":
		r.kind = kInt256
	case "Bool":
		r.kind = kBool
	case "true":
		r.kind = kTrue
	case "#":
		r.kind = kFlags
	case "Object":
		r.kind = kObject
	default:
		if t.Bare {
			c, ok := b.byName[t.Name]
			if !ok {
				// %T of a type with a single constructor.
				for _, k := range b.byName {
					if !k.fn && k.typ == t.Name {
						if c != nil {
							return nil, fmt.Errorf("bare %s has several constructors", t.Name)
						}
						c = k
					}
				}
				if c == nil {
					return nil, fmt.Errorf("unknown bare type %s", t.Name)
				}
			}
			r.kind, r.bare = kBare, c
			return r, nil
		}
		if !b.types[t.Name] {
			return nil, fmt.Errorf("unknown type %s", t.Name)
		}
		r.kind, r.typ = kObject, t.Name
	}
	return r, nil
}

// ParseType compiles a type expression such as "Object", "Updates",
// "Vector<User>" or "Bool" for ToMsgpack and FromMsgpack.
func (b *Bridge) parseType(expr string) (*tref, error) {
	if expr == "" || expr == "Object" {
		return &tref{kind: kObject, text: "Object"}, nil
	}
	s, err := schema.Parse("x#0 v:"+expr+" = X;", schema.Options{})
	if err != nil {
		return nil, fmt.Errorf("tlpack: bad type %q: %v", expr, err)
	}
	t, err := b.compile(s.Constructors[0].Params[0].Type)
	if err != nil {
		return nil, fmt.Errorf("tlpack: bad type %q: %v", expr, err)
	}
	return t, nil
}

// ErrUnknownFunction is returned by ResultType for a request whose function
// id is not in the schema.
var ErrUnknownFunction = errors.New("tlpack: unknown function")

// ResultType returns the result type expression of the function call encoded
// in request (following generic wrappers such as invokeWithLayer to the query
// they wrap).
func (b *Bridge) ResultType(request []byte) (string, error) {
	t, err := b.resultOf(request)
	if err != nil {
		return "", err
	}
	return t.text, nil
}

func (b *Bridge) resultOf(request []byte) (*tref, error) {
	for depth := 0; depth < maxDepth; depth++ {
		d := tl.NewDecoder(request)
		id := d.Uint32()
		c, ok := b.byID[id]
		if d.Err() != nil || !ok || !c.fn {
			return nil, fmt.Errorf("%w: %08x", ErrUnknownFunction, id)
		}
		if c.generic < 0 {
			return c.result, nil
		}
		// Skip the parameters before the query, then follow it.
		var flags [maxFlagWords]uint32
		var sink []byte
		for i := 0; i < c.generic; i++ {
			p := &c.params[i]
			if p.t.kind == kFlags {
				flags[p.flagIdx] = d.Uint32()
				continue
			}
			if p.flagIdx >= 0 && flags[p.flagIdx]&(1<<p.bit) == 0 || p.t.kind == kTrue {
				continue
			}
			var err error
			if sink, err = b.toMsgpack(sink[:0], d, p.t, 1); err != nil {
				return nil, err
			}
		}
		if d.Err() != nil {
			return nil, d.Err()
		}
		request = d.Rest()
	}
	return nil, errTooDeep
}
