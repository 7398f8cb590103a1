package tlpack_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/mt"
	"github.com/polygram/polygram/tl/tlpack"
)

// roundTrips checks, for random values of every constructor and function of a
// schema, that TL bytes survive decode→encode through the generated Go types
// and TL→msgpack→TL through the bridge, and that the msgpack is valid for an
// independent msgpack implementation with "_" naming the constructor.
func roundTrips(t *testing.T, b *tlpack.Bridge, newObject func(uint32) tl.Object, skip map[string]bool, iterations int) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range b.Names() {
		for i := 0; i < iterations; i++ {
			raw, err := b.Random(rng, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !skip[name] {
				goRoundTrip(t, name, raw, newObject)
			}
			mp, err := b.ObjectToMsgpack(nil, raw)
			if err != nil {
				t.Fatalf("%s: decode: %v\n%x", name, err, raw)
			}
			if err != nil {
				t.Fatalf("%s: to msgpack: %v", name, err)
			}
			var generic map[string]any
			if err := msgpack.Unmarshal(mp, &generic); err != nil {
				t.Fatalf("%s: msgpack invalid: %v", name, err)
			}
			if generic["_"] != name {
				t.Fatalf("%s: msgpack _ = %v", name, generic["_"])
			}
			back, err := b.ObjectFromMsgpack(nil, mp)
			if err != nil {
				t.Fatalf("%s: from msgpack: %v", name, err)
			}
			if !bytes.Equal(raw, back) {
				t.Fatalf("%s: msgpack round trip differs\n got %x\nwant %x", name, back, raw)
			}
			// Re-encoding through the independent implementation (which
			// reorders nothing but re-packs every value minimally) must give
			// the same TL bytes too.
			repacked, err := msgpack.Marshal(generic)
			if err != nil {
				t.Fatal(err)
			}
			back2, err := b.ObjectFromMsgpack(nil, repacked)
			if err != nil {
				t.Fatalf("%s: from repacked msgpack: %v", name, err)
			}
			if !bytes.Equal(raw, back2) {
				t.Fatalf("%s: repacked msgpack round trip differs", name)
			}
		}
	}
}

func goRoundTrip(t *testing.T, name string, raw []byte, newObject func(uint32) tl.Object) {
	t.Helper()
	obj, err := tl.Decode(raw, newObject)
	if err != nil {
		t.Fatalf("%s: decode: %v\n%x", name, err, raw)
	}
	if tl.Name(obj) != name {
		t.Fatalf("%s decoded as %s", name, tl.Name(obj))
	}
	again, err := tl.Encode(obj)
	if err != nil {
		t.Fatalf("%s: encode: %v", name, err)
	}
	if !bytes.Equal(raw, again) {
		t.Fatalf("%s: Go round trip differs\n got %x\nwant %x", name, again, raw)
	}
}

// Bool and true are Go bools, not generated types.
var builtins = map[string]bool{"boolFalse": true, "boolTrue": true, "true": true}

func TestEveryAPICombinatorRoundTrips(t *testing.T) {
	n := 6
	if testing.Short() {
		n = 1
	}
	roundTrips(t, tlpack.API(), api.New, builtins, n)
}

func TestEveryMTProtoCombinatorRoundTrips(t *testing.T) {
	b, err := tlpack.New(mt.SchemaText)
	if err != nil {
		t.Fatal(err)
	}
	roundTrips(t, b, mt.New, nil, 20)
}
