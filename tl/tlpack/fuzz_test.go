package tlpack_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/tlpack"
)

// seeds adds random valid encodings of a spread of constructors.
func seeds(f *testing.F, toMsgpack bool) {
	b := tlpack.API()
	rng := rand.New(rand.NewPCG(7, 8))
	names := []string{"messages.messages", "message", "updates", "user", "messages.sendMessage",
		"invokeWithLayer", "channelFull", "webPage", "pageBlockList", "codeSettings"}
	for _, n := range names {
		raw, err := b.Random(rng, n)
		if err != nil {
			f.Fatal(err)
		}
		if toMsgpack {
			if raw, err = b.ObjectToMsgpack(nil, raw); err != nil {
				f.Fatal(err)
			}
		}
		f.Add(raw)
	}
	f.Add([]byte{})
	f.Add([]byte{0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0x7f})
}

// FuzzDecode: any input decodes or fails with an error, never panics; what
// decodes re-encodes to a stable form.
func FuzzDecode(f *testing.F) {
	seeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		o, err := tl.Decode(in, api.New)
		if err != nil {
			return
		}
		out, err := tl.Encode(o)
		if err != nil {
			return // e.g. a decoded nil in a field the schema requires
		}
		o2, err := tl.Decode(out, api.New)
		if err != nil {
			t.Fatalf("re-encoded object does not decode: %v", err)
		}
		out2, _ := tl.Encode(o2)
		if !bytes.Equal(out, out2) {
			t.Fatal("encoding is not stable")
		}
	})
}

// FuzzTLToMsgpack: the bridge never panics on TL input, and what it converts
// converts back to the same bytes.
func FuzzTLToMsgpack(f *testing.F) {
	seeds(f, false)
	b := tlpack.API()
	f.Fuzz(func(t *testing.T, in []byte) {
		mp, err := b.ObjectToMsgpack(nil, in)
		if err != nil {
			return
		}
		back, err := b.ObjectFromMsgpack(nil, mp)
		if err != nil {
			t.Fatalf("msgpack from valid TL does not convert back: %v", err)
		}
		mp2, err := b.ObjectToMsgpack(nil, back)
		if err != nil || !bytes.Equal(mp, mp2) {
			t.Fatalf("unstable: %v", err)
		}
	})
}

// FuzzMsgpackToTL: the bridge never panics on msgpack input, and the TL it
// produces is valid.
func FuzzMsgpackToTL(f *testing.F) {
	seeds(f, true)
	b := tlpack.API()
	f.Fuzz(func(t *testing.T, in []byte) {
		raw, err := b.ObjectFromMsgpack(nil, in)
		if err != nil {
			return
		}
		if _, err := b.ObjectToMsgpack(nil, raw); err != nil {
			t.Fatalf("TL made from msgpack does not convert back: %v", err)
		}
	})
}
