package msgpackw

import (
	"bytes"
	"math"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// Every value written decodes to itself with an independent implementation,
// across the size boundaries of each format.
func TestValuesDecodeWithAnIndependentImplementation(t *testing.T) {
	var b []byte
	ints := []int64{0, 127, 128, -1, -32, -33, -128, -129, 32767, -32769, math.MaxInt32, math.MinInt32 - 1, math.MaxInt64, math.MinInt64}
	strs := []string{"", "a", string(bytes.Repeat([]byte("x"), 31)), string(bytes.Repeat([]byte("x"), 32)), string(bytes.Repeat([]byte("x"), 300)), string(bytes.Repeat([]byte("x"), 70000))}
	b = ArrayHeader(b, len(ints)+2*len(strs)+5)
	for _, v := range ints {
		b = Int(b, v)
	}
	for _, s := range strs {
		b = Str(b, s)
		b = Bin(b, []byte(s))
	}
	b = Uint(b, math.MaxUint64)
	b = Float(b, 1.5)
	b = Bool(b, true)
	b = Nil(b)
	var at int
	b, at = MapHeader16(b)
	b = StrBytes(b, []byte("k"))
	b = Int(b, 1)
	PatchMapHeader16(b, at, 1)

	var got []any
	if err := msgpack.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, v := range ints {
		if n, ok := toInt(got[i]); !ok || n != v {
			t.Fatalf("int %d decoded as %v", v, got[i])
		}
		i++
	}
	for _, s := range strs {
		if got[i] != s || !bytes.Equal(got[i+1].([]byte), []byte(s)) {
			t.Fatalf("str/bin of %d bytes", len(s))
		}
		i += 2
	}
	if got[i] != uint64(math.MaxUint64) || got[i+1] != 1.5 || got[i+2] != true || got[i+3] != nil {
		t.Fatalf("tail %v", got[i:])
	}
	if m := got[i+4].(map[string]any); len(m) != 1 {
		t.Fatalf("patched map %v", m)
	}
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), true
	}
	return 0, false
}
