package tlpack

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/polygram/polygram/tl"
)

// Names returns the schema names of every constructor and function, sorted.
func (b *Bridge) Names() []string {
	names := make([]string, 0, len(b.byName))
	for n := range b.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Random returns a valid boxed TL encoding of the constructor or function
// name with random field values: random flags among the bits the schema uses,
// strings across the short and long length forms, vectors of 0–3 elements and
// nested objects down to a bounded depth. It exists for property tests and
// fuzz corpora, in Polygram's tests and in users' own.
func (b *Bridge) Random(rng *rand.Rand, name string) ([]byte, error) {
	c, ok := b.byName[name]
	if !ok {
		return nil, fmt.Errorf("tlpack: unknown constructor %q", name)
	}
	g := randGen{b: b, rng: rng, byType: map[string][]*ctor{}}
	for _, k := range b.byName {
		if !k.fn {
			g.byType[k.typ] = append(g.byType[k.typ], k)
		}
	}
	for _, list := range g.byType {
		sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	}
	e := tl.NewEncoder(nil)
	e.Uint32(c.id)
	if err := g.ctor(e, c, 0); err != nil {
		return nil, err
	}
	return e.Bytes(), e.Err()
}

type randGen struct {
	b      *Bridge
	rng    *rand.Rand
	byType map[string][]*ctor
	fns    []*ctor
}

// deep is the depth past which the generator stops adding optional content.
const deep = 4

func (g *randGen) ctor(e *tl.Encoder, c *ctor, depth int) error {
	if depth > 40 {
		return fmt.Errorf("tlpack: random %s: recursion too deep", c.name)
	}
	var flags [maxFlagWords]uint32
	for _, p := range c.params {
		if p.flagIdx >= 0 && p.t.kind != kFlags && depth < deep && g.rng.IntN(2) == 0 {
			flags[p.flagIdx] |= 1 << p.bit
		}
	}
	for _, p := range c.params {
		switch {
		case p.t.kind == kFlags:
			e.Uint32(flags[p.flagIdx])
			continue
		case p.t.kind == kTrue:
			continue
		case p.flagIdx >= 0 && flags[p.flagIdx]&(1<<p.bit) == 0:
			continue
		}
		if err := g.value(e, p.t, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// cost estimates how much nesting a constructor forces, to pick shallow ones
// when deep.
func cost(c *ctor) int {
	n := 0
	for _, p := range c.params {
		if p.flagIdx < 0 && (p.t.kind == kObject || p.t.kind == kBare || p.t.kind == kGeneric) {
			n += 10
		}
		n++
	}
	return n
}

func (g *randGen) pick(list []*ctor, depth int) *ctor {
	if depth < deep {
		return list[g.rng.IntN(len(list))]
	}
	best := list[0]
	for _, c := range list[1:] {
		if cost(c) < cost(best) {
			best = c
		}
	}
	return best
}

func (g *randGen) value(e *tl.Encoder, t *tref, depth int) error {
	r := g.rng
	switch t.kind {
	case kInt:
		e.Int(int32(r.Uint32()))
	case kLong:
		e.Long(int64(r.Uint64()))
	case kDouble:
		e.Double(r.NormFloat64() * 1e6)
	case kString, kBytes:
		n := r.IntN(8)
		if r.IntN(8) == 0 {
			n = 250 + r.IntN(300) // cross the long-form boundary
		}
		buf := make([]byte, n)
		for i := range buf {
			if t.kind == kString {
				buf[i] = byte('a' + r.IntN(26))
			} else {
				buf[i] = byte(r.Uint32())
			}
		}
		e.BytesValue(buf)
	case kInt128, kInt256:
		n := 16
		if t.kind == kInt256 {
			n = 32
		}
		for i := 0; i < n; i++ {
			e.Raw([]byte{byte(r.Uint32())})
		}
	case kBool:
		e.Bool(r.IntN(2) == 0)
	case kVector:
		n := r.IntN(4)
		if depth >= deep {
			n = 0
		}
		if t.boxed {
			e.VectorHeader(n)
		} else {
			e.Int(int32(n))
		}
		for i := 0; i < n; i++ {
			if err := g.value(e, t.elem, depth+1); err != nil {
				return err
			}
		}
	case kObject:
		list := g.byType[t.typ]
		if t.typ == "" {
			list = g.byType["Null"]
			if len(list) == 0 {
				return fmt.Errorf("tlpack: random: no constructor for %s", t.text)
			}
		}
		if len(list) == 0 {
			return fmt.Errorf("tlpack: random: type %s has no constructors", t.typ)
		}
		c := g.pick(list, depth)
		e.Uint32(c.id)
		return g.ctor(e, c, depth)
	case kBare:
		return g.ctor(e, t.bare, depth)
	case kGeneric:
		if g.fns == nil {
			for _, k := range g.b.byName {
				if k.fn && k.generic < 0 && len(k.params) == 0 {
					g.fns = append(g.fns, k)
				}
			}
			sort.Slice(g.fns, func(i, j int) bool { return g.fns[i].name < g.fns[j].name })
		}
		if len(g.fns) == 0 {
			return fmt.Errorf("tlpack: random: no parameterless function for !X")
		}
		c := g.fns[g.rng.IntN(len(g.fns))]
		e.Uint32(c.id)
		return g.ctor(e, c, depth)
	default:
		return fmt.Errorf("tlpack: random: cannot generate %s", t.text)
	}
	return nil
}
