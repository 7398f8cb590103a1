package schema

import (
	"hash/crc32"
	"os"
	"strings"
	"testing"
)

func readSchema(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../schema/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func skipTLS(name string) bool { return strings.HasPrefix(name, "tls") }

// Every id written in api.tl must equal the CRC32 of the normalized line: this
// pins down the normalization rule used for any combinator without an id.
func TestEveryAPIIDMatchesComputedCRC(t *testing.T) {
	s, err := Parse(readSchema(t, "api.tl"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Layer != 229 {
		t.Fatalf("layer = %d, want 229", s.Layer)
	}
	// Counts stated in schema/README.md: 1658 constructors including the
	// built-in vector declaration, which the codec handles itself.
	if len(s.Constructors) != 1657 || len(s.Functions) != 813 {
		t.Fatalf("got %d constructors and %d functions, want 1657 and 813", len(s.Constructors), len(s.Functions))
	}
	checked := 0
	for _, c := range append(append([]*Combinator{}, s.Constructors...), s.Functions...) {
		if !c.ExplicitID {
			t.Errorf("line %d: %s has no id", c.Line, c.Name)
			continue
		}
		if got := ComputeID(c); got != c.ID {
			t.Errorf("line %d: %s: computed %08x, file says %08x (normalized %q)", c.Line, c.Name, got, c.ID, NormalizedLine(c))
		}
		checked++
	}
	if checked != 2470 {
		t.Fatalf("checked %d ids, want 2470", checked)
	}
	// The built-in vector line keeps its id 1cb5c415 under the same rule.
	if got := crc32.ChecksumIEEE([]byte("vector t:Type # [ t ] = Vector t")); got != 0x1cb5c415 {
		t.Fatalf("vector id %08x", got)
	}
}

func TestMTProtoSchemaIDsAndKnownExceptions(t *testing.T) {
	s, err := Parse(readSchema(t, "mtproto.tl"), Options{Skip: skipTLS})
	if err != nil {
		t.Fatal(err)
	}
	// 56 constructor lines minus 7 built-ins (parsed away) and 9 tls lines.
	if len(s.Constructors) != 40 || len(s.Functions) != 10 {
		t.Fatalf("got %d constructors, %d functions; want 40 and 10", len(s.Constructors), len(s.Functions))
	}
	exceptions := map[string]bool{"ipPortSecret": true, "accessPointRule": true, "help.configSimple": true}
	for _, c := range append(append([]*Combinator{}, s.Constructors...), s.Functions...) {
		got := ComputeID(c)
		if exceptions[c.Name] {
			if got == c.ID {
				t.Errorf("%s was expected to be an exception to the id rule", c.Name)
			}
			continue
		}
		if got != c.ID {
			t.Errorf("%s: computed %08x, file says %08x (%q)", c.Name, got, c.ID, NormalizedLine(c))
		}
	}
}

func TestParsesEveryConstruct(t *testing.T) {
	src := `
// comment line
boolFalse#bc799737 = Bool;
vector#1cb5c415 {t:Type} # [ t ] = Vector t;
user#1 flags:# self:flags.10?true id:long flags2:# name:flags2.3?string photos:flags.1?Vector<Photo> = User;
future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt> = FutureSalts;
wrap#2 m:%Message = Wrap;
---functions---
invokeWithApnsSecret#0dae54f8 {X:Type} nonce:string secret:string query:!X = X;
getAll#3 = Vector<long>;
// LAYER 7
`
	s, err := Parse(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Layer != 7 {
		t.Errorf("layer %d", s.Layer)
	}
	if len(s.Constructors) != 4 || len(s.Functions) != 2 {
		t.Fatalf("constructors %d functions %d", len(s.Constructors), len(s.Functions))
	}
	u := s.Constructors[1]
	if u.Params[1].FlagField != "flags" || u.Params[1].FlagBit != 10 || !u.Params[1].IsTrueFlag() {
		t.Errorf("self param: %+v", u.Params[1])
	}
	if p := u.Params[4]; p.FlagField != "flags2" || p.FlagBit != 3 || p.Type.Name != "string" {
		t.Errorf("name param: %+v", p)
	}
	if p := u.Params[5]; !p.Type.IsVector() || p.Type.Bare || p.Type.Elem.Name != "Photo" || p.Type.Elem.Bare {
		t.Errorf("photos param: %+v", p)
	}
	fs := s.Constructors[2].Params[2].Type
	if !fs.Bare || fs.Name != "vector" || !fs.Elem.Bare || fs.Elem.Name != "future_salt" {
		t.Errorf("salts: %+v %+v", fs, fs.Elem)
	}
	if m := s.Constructors[3].Params[0].Type; !m.Bare || m.Name != "Message" {
		t.Errorf("%%Message: %+v", m)
	}
	f := s.Functions[0]
	if f.ID != 0x0dae54f8 || len(f.TypeParams) != 1 || !f.Params[2].Type.Generic || !f.Result.TypeParam {
		t.Errorf("generic function: %+v", f)
	}
	if r := s.Functions[1].Result; !r.IsVector() || r.Elem.Name != "long" {
		t.Errorf("vector result %+v", r)
	}
}

func TestRejectsMalformedLines(t *testing.T) {
	for _, src := range []string{
		"a#zz = B;",
		"a#1 x:flags.0?int = B;",  // unknown flags field
		"a#1 f:# x:f.40?int = B;", // bit out of range
		"a#1 x:true = B;",         // true outside a condition
		"a#1 x:!X = B;",           // !X without a type parameter
		"a#1 x:Map<int> = B;",
		"a#1 x:int = B",
		"---weird---",
		"a#1 x = B;",
	} {
		if _, err := Parse(src, Options{}); err == nil {
			t.Errorf("%q: expected an error", src)
		} else if _, ok := err.(*ParseError); !ok {
			t.Errorf("%q: error %T, want *ParseError", src, err)
		}
	}
}
