package tlpack

import (
	"errors"
	"fmt"
	"math"

	"github.com/polygram/polygram/internal/msgpackw"
	"github.com/polygram/polygram/tl"
)

// ToMsgpack appends to dst the msgpack form of one TL value of type typ
// ("Object" for any boxed object, or a type such as "Updates",
// "Vector<User>", "Bool") read from src, which must be consumed entirely.
func (b *Bridge) ToMsgpack(dst, src []byte, typ string) ([]byte, error) {
	t, err := b.parseType(typ)
	if err != nil {
		return dst, err
	}
	return b.toMsgpackAll(dst, src, t)
}

// ObjectToMsgpack appends the msgpack form of a boxed TL object.
func (b *Bridge) ObjectToMsgpack(dst, src []byte) ([]byte, error) {
	return b.toMsgpackAll(dst, src, &tref{kind: kObject, text: "Object"})
}

// ResultToMsgpack converts the result of the function call request (both in
// TL) to msgpack. An rpc_error in place of the result is converted too.
func (b *Bridge) ResultToMsgpack(dst, request, result []byte) ([]byte, error) {
	t, err := b.resultOf(request)
	if err != nil {
		return dst, err
	}
	return b.toMsgpackAll(dst, result, t)
}

func (b *Bridge) toMsgpackAll(dst, src []byte, t *tref) ([]byte, error) {
	// The server may gzip any whole value, whatever its type.
	d := tl.NewDecoder(src).Unpack()
	if d.Err() != nil {
		return dst, finish(decErr(d))
	}
	out, err := b.toMsgpack(dst, d, t, 0)
	if err == nil && d.Err() == nil && d.Remaining() != 0 {
		err = &pathError{off: d.Offset(), err: fmt.Errorf("%d trailing bytes", d.Remaining())}
	}
	if err != nil {
		return dst, finish(err)
	}
	return out, nil
}

func decErr(d *tl.Decoder) error {
	var de *tl.DecodeError
	if errors.As(d.Err(), &de) {
		return &pathError{off: de.Offset, err: de.Err}
	}
	return &pathError{off: d.Offset(), err: d.Err()}
}

func (b *Bridge) toMsgpack(dst []byte, d *tl.Decoder, t *tref, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, &pathError{off: d.Offset(), err: errTooDeep}
	}
	switch t.kind {
	case kInt:
		dst = msgpackw.Int(dst, int64(d.Int()))
	case kLong:
		dst = msgpackw.Int(dst, d.Long())
	case kDouble:
		dst = msgpackw.Float(dst, d.Double())
	case kString:
		dst = msgpackw.StrBytes(dst, d.BytesRef())
	case kBytes:
		dst = msgpackw.Bin(dst, d.BytesRef())
	case kInt128:
		dst = msgpackw.Bin(dst, d.Take(16))
	case kInt256:
		dst = msgpackw.Bin(dst, d.Take(32))
	case kBool:
		dst = msgpackw.Bool(dst, d.Bool())
	case kVector:
		var n int
		min := minSize(t.elem)
		if t.boxed {
			n = d.VectorLen(min)
		} else {
			n = d.BareVectorLen(min)
		}
		if d.Err() != nil {
			return dst, decErr(d)
		}
		dst = msgpackw.ArrayHeader(dst, n)
		for i := 0; i < n; i++ {
			var err error
			if dst, err = b.toMsgpack(dst, d, t.elem, depth+1); err != nil {
				return dst, err
			}
		}
	case kObject, kGeneric:
		at := d.Offset()
		id := d.Uint32()
		if d.Err() != nil {
			return dst, decErr(d)
		}
		if id == tl.GzipPackedID {
			packed := d.BytesRef()
			if d.Err() != nil {
				return dst, decErr(d)
			}
			out, err := tl.Gunzip(packed, 0)
			if err != nil {
				return dst, &pathError{off: at, err: err}
			}
			inner := tl.NewDecoder(out)
			dst, err = b.toMsgpack(dst, inner, t, depth+1)
			if err == nil && inner.Remaining() != 0 {
				err = &pathError{off: at, err: errors.New("trailing bytes inside gzip_packed")}
			}
			return dst, err
		}
		c, ok := b.byID[id]
		if !ok || (t.kind == kObject && t.typ != "" && (c.fn || c.typ != t.typ)) || (t.kind == kGeneric && !c.fn) {
			want := t.typ
			if want == "" {
				want = t.text
			}
			return dst, &pathError{off: at, err: &tl.UnknownConstructorError{ID: id, Type: want}}
		}
		return b.ctorToMsgpack(dst, d, c, depth)
	case kBare:
		return b.ctorToMsgpack(dst, d, t.bare, depth)
	default:
		return dst, &pathError{off: d.Offset(), err: fmt.Errorf("cannot convert %s", t.text)}
	}
	if d.Err() != nil {
		return dst, decErr(d)
	}
	return dst, nil
}

func minSize(t *tref) int {
	switch t.kind {
	case kLong, kDouble:
		return 8
	case kInt128:
		return 16
	case kInt256:
		return 32
	}
	return 4
}

var underscore = []byte("_")

func (b *Bridge) ctorToMsgpack(dst []byte, d *tl.Decoder, c *ctor, depth int) ([]byte, error) {
	dst, at := msgpackw.MapHeader16(dst)
	dst = msgpackw.StrBytes(dst, underscore)
	dst = msgpackw.Str(dst, c.name)
	n := 1
	var flags [maxFlagWords]uint32
	for i := range c.params {
		p := &c.params[i]
		switch {
		case p.t.kind == kFlags:
			flags[p.flagIdx] = d.Uint32()
			continue
		case p.flagIdx >= 0 && flags[p.flagIdx]&(1<<p.bit) == 0:
			continue
		case p.t.kind == kTrue:
			dst = msgpackw.Str(dst, p.key)
			dst = msgpackw.Bool(dst, true)
			n++
			continue
		}
		dst = msgpackw.Str(dst, p.key)
		var err error
		if dst, err = b.toMsgpack(dst, d, p.t, depth+1); err != nil {
			return dst, wrap(wrap(err, p.name, 0), c.name, 0)
		}
		n++
	}
	if d.Err() != nil {
		return dst, wrap(decErr(d), c.name, 0)
	}
	msgpackw.PatchMapHeader16(dst, at, n)
	return dst, nil
}

// FromMsgpack appends to dst the TL encoding of the msgpack value src of type
// typ (see ToMsgpack). src must hold exactly one value.
func (b *Bridge) FromMsgpack(dst, src []byte, typ string) ([]byte, error) {
	t, err := b.parseType(typ)
	if err != nil {
		return dst, err
	}
	return b.fromMsgpackAll(dst, src, t)
}

// ObjectFromMsgpack appends the boxed TL encoding of the object (a map with
// "_") in src. A function call encodes as a request ready to send.
func (b *Bridge) ObjectFromMsgpack(dst, src []byte) ([]byte, error) {
	return b.fromMsgpackAll(dst, src, &tref{kind: kObject, text: "Object"})
}

func (b *Bridge) fromMsgpackAll(dst, src []byte, t *tref) ([]byte, error) {
	st := state{r: reader{b: src}}
	e := tl.NewEncoder(dst)
	err := b.fromMsgpack(e, &st, t, 0)
	if err == nil && st.r.off != len(src) {
		err = &pathError{off: st.r.off, err: fmt.Errorf("%d trailing bytes", len(src)-st.r.off)}
	}
	if err == nil {
		err = e.Err()
	}
	if err != nil {
		return dst, finish(err)
	}
	return e.Bytes(), nil
}

// state carries the reader and a reusable stack of field positions.
type state struct {
	r     reader
	slots []int
}

func (b *Bridge) fromMsgpack(e *tl.Encoder, st *state, t *tref, depth int) error {
	if depth > maxDepth {
		return &pathError{off: st.r.off, err: errTooDeep}
	}
	r := &st.r
	at := r.off
	fail := func(err error) error { return &pathError{off: at, err: err} }
	switch t.kind {
	case kInt:
		v, err := r.int()
		if err != nil {
			return fail(err)
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return fail(fmt.Errorf("%d does not fit in a TL int (32 bits)", v))
		}
		e.Int(int32(v))
	case kLong:
		v, err := r.int()
		if err != nil {
			return fail(err)
		}
		e.Long(v)
	case kDouble:
		v, err := r.float()
		if err != nil {
			return fail(err)
		}
		e.Double(v)
	case kString:
		v, err := r.str(false)
		if err != nil {
			return fail(err)
		}
		e.BytesValue(v)
	case kBytes:
		v, err := r.bin(true)
		if err != nil {
			return fail(err)
		}
		e.BytesValue(v)
	case kInt128, kInt256:
		v, err := r.bin(false)
		if err != nil {
			return fail(err)
		}
		want := 16
		if t.kind == kInt256 {
			want = 32
		}
		if len(v) != want {
			return fail(fmt.Errorf("%s needs %d bytes, got %d", t.text, want, len(v)))
		}
		e.Raw(v)
	case kBool:
		v, err := r.bool()
		if err != nil {
			return fail(err)
		}
		e.Bool(v)
	case kVector:
		n, err := r.arrayLen()
		if err != nil {
			return fail(err)
		}
		if t.boxed {
			e.VectorHeader(n)
		} else {
			e.Int(int32(n))
		}
		for i := 0; i < n; i++ {
			if err := b.fromMsgpack(e, st, t.elem, depth+1); err != nil {
				return wrap(err, fmt.Sprintf("[%d]", i), 0)
			}
		}
	case kObject, kGeneric, kBare:
		return b.objectFromMsgpack(e, st, t, depth)
	default:
		return fail(fmt.Errorf("cannot convert %s", t.text))
	}
	return nil
}

func (b *Bridge) objectFromMsgpack(e *tl.Encoder, st *state, t *tref, depth int) error {
	r := &st.r
	at := r.off
	n, err := r.mapLen()
	if err != nil {
		return &pathError{off: at, err: err}
	}
	body := r.off
	// Find "_": usually the first key, but keys may come in any order.
	var name []byte
	first := true
	for i := 0; i < n; i++ {
		k, err := r.str(false)
		if err != nil {
			return &pathError{off: r.off, err: fmt.Errorf("map key: %w", err)}
		}
		if len(k) == 1 && k[0] == '_' {
			if name, err = r.str(false); err != nil {
				return &pathError{off: r.off, err: fmt.Errorf(`"_": %w`, err)}
			}
			break
		}
		first = false
		if err := r.skip(depth + 1); err != nil {
			return &pathError{off: r.off, err: err}
		}
	}
	var c *ctor
	if t.kind == kBare {
		c = t.bare
		if name != nil && string(name) != c.name {
			return &pathError{off: at, err: fmt.Errorf("expected %s, got %q", c.name, name)}
		}
	} else {
		if name == nil {
			return &pathError{off: at, err: fmt.Errorf(`object of type %s has no "_" key naming its constructor`, t.text)}
		}
		var ok bool
		c, ok = b.byName[string(name)]
		if !ok {
			return &pathError{off: at, err: fmt.Errorf("unknown constructor %q", name)}
		}
		switch {
		case t.kind == kGeneric && !c.fn:
			return &pathError{off: at, err: fmt.Errorf("%s is not a function", c.name)}
		case t.kind == kObject && t.typ != "" && (c.fn || c.typ != t.typ):
			return &pathError{off: at, err: fmt.Errorf("%s is not a constructor of %s", c.name, t.typ)}
		}
		e.Uint32(c.id)
	}
	mark := e.Len()
	if first && name != nil {
		// Fast path: fields in schema order after "_" are encoded in one pass.
		done, err := b.streamFields(e, st, c, n-1, depth)
		if err != nil {
			return wrap(err, c.name, 0)
		}
		if done {
			return nil
		}
		e.Truncate(mark)
	}
	r.off = body
	return b.slotFields(e, st, c, n, depth, at)
}

// streamFields encodes the remaining n map entries when they follow the
// schema's order, writing flags words as placeholders and patching them. It
// reports false (having consumed nothing that matters) when a key comes out of
// order, so the caller falls back to slotFields.
func (b *Bridge) streamFields(e *tl.Encoder, st *state, c *ctor, n, depth int) (bool, error) {
	r := &st.r
	var flags [maxFlagWords]uint32
	var flagAt [maxFlagWords]int
	next := 0
	// advance emits the params before idx that have no key (flags
	// placeholders) and reports false when one of them is required: it may
	// come later out of order, and the slot pass will tell.
	advance := func(idx int) bool {
		for ; next < idx; next++ {
			p := &c.params[next]
			switch {
			case p.t.kind == kFlags:
				flagAt[p.flagIdx] = e.Len()
				e.Uint32(0)
			case p.flagIdx >= 0:
				if p.t.kind != kTrue && flags[p.flagIdx]&(1<<p.bit) != 0 {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	for i := 0; i < n; i++ {
		k, err := r.str(false)
		if err != nil {
			return false, &pathError{off: r.off, err: fmt.Errorf("map key: %w", err)}
		}
		idx, ok := c.index(k)
		if !ok {
			return false, &pathError{off: r.off, err: fmt.Errorf("unknown field %q", k)}
		}
		p := &c.params[idx]
		if idx < next || p.t.kind == kFlags {
			return false, nil
		}
		if !advance(idx) {
			return false, nil
		}
		next = idx + 1
		if r.isNil() {
			r.off++
			if p.flagIdx < 0 {
				return false, nil
			}
			continue
		}
		if p.t.kind == kTrue {
			v, err := r.bool()
			if err != nil {
				return false, wrap(&pathError{off: r.off, err: err}, p.name, 0)
			}
			if v {
				flags[p.flagIdx] |= 1 << p.bit
			}
			continue
		}
		if p.flagIdx >= 0 {
			if flags[p.flagIdx]&(1<<p.bit) == 0 && c.sharedBit(idx) {
				// A field sharing its bit with an earlier absent field:
				// let the slot pass report it precisely.
				return false, nil
			}
			flags[p.flagIdx] |= 1 << p.bit
		}
		if err := b.fromMsgpack(e, st, p.t, depth+1); err != nil {
			return false, wrap(err, p.name, 0)
		}
	}
	if !advance(len(c.params)) {
		return false, nil
	}
	for i := 0; i < c.nflags; i++ {
		e.PatchUint32(flagAt[i], flags[i])
	}
	return true, nil
}

func missing(p *param, off int) error {
	msg := "missing required field"
	if p.flagIdx >= 0 {
		msg = "missing field required by another field set under the same flag bit"
	}
	return &pathError{off: off, err: fmt.Errorf("%s %q (%s)", msg, p.name, p.t.text)}
}

// slotFields encodes a map whose keys may come in any order: it records where
// each value starts, computes the flags, then encodes in schema order.
func (b *Bridge) slotFields(e *tl.Encoder, st *state, c *ctor, n, depth, at int) error {
	r := &st.r
	base := len(st.slots)
	for range c.params {
		st.slots = append(st.slots, -1)
	}
	defer func() { st.slots = st.slots[:base] }()
	for i := 0; i < n; i++ {
		k, _ := r.str(false)
		if len(k) == 1 && k[0] == '_' {
			r.skip(depth + 1)
			continue
		}
		idx, ok := c.index(k)
		if !ok {
			return wrap(&pathError{off: r.off, err: fmt.Errorf("unknown field %q", k)}, c.name, 0)
		}
		if c.params[idx].t.kind != kFlags && !r.isNil() {
			st.slots[base+idx] = r.off
		}
		r.skip(depth + 1)
	}
	end := r.off

	// Compute the flags words from the fields present.
	var flags [maxFlagWords]uint32
	for j := range c.params {
		p := &c.params[j]
		pos := st.slots[base+j]
		if p.flagIdx < 0 || p.t.kind == kFlags || pos < 0 {
			continue
		}
		if p.t.kind == kTrue {
			r.off = pos
			v, err := r.bool()
			if err != nil {
				return wrap(wrap(&pathError{off: pos, err: err}, p.name, 0), c.name, 0)
			}
			if !v {
				continue
			}
		}
		flags[p.flagIdx] |= 1 << p.bit
	}

	for j := range c.params {
		p := &c.params[j]
		if p.t.kind == kFlags {
			e.Uint32(flags[p.flagIdx])
			continue
		}
		if p.t.kind == kTrue {
			continue
		}
		pos := st.slots[base+j]
		if p.flagIdx >= 0 && flags[p.flagIdx]&(1<<p.bit) == 0 {
			continue
		}
		if pos < 0 {
			return wrap(missing(p, at), c.name, 0)
		}
		r.off = pos
		if err := b.fromMsgpack(e, st, p.t, depth+1); err != nil {
			return wrap(wrap(err, p.name, 0), c.name, 0)
		}
	}
	r.off = end
	return nil
}
