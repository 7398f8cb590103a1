// Package schema parses Telegram's TL schema language (the `.tl` files that
// describe the MTProto service layer and the Telegram API) and computes
// combinator ids.
//
// It covers everything the published schemas use: `---types---` and
// `---functions---` sections, explicit variable-length hex ids (`#0dae54f8`),
// flag words (`flags:#`, `flags2:#`), conditional fields (`flags.N?T`),
// `?true` flags, boxed `Vector<T>` and bare `vector<T>`, bare types (`%T` and
// lower-case constructor names), generic functions (`{X:Type}` … `!X`) and
// `//` comments. The package knows nothing about Go: the generator and the
// msgpack bridge build on it.
package schema

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// Schema is a parsed TL file.
type Schema struct {
	// Constructors are the type constructors in file order.
	Constructors []*Combinator
	// Functions are the RPC functions in file order.
	Functions []*Combinator
	// Layer is the number from a `// LAYER N` comment, or 0.
	Layer int
}

// Combinator is one `name#id args = Type;` line.
type Combinator struct {
	// Name is the full schema name, e.g. "messages.sendMessage".
	Name string
	// ID is the constructor id as written in the file, or computed when absent.
	ID uint32
	// ExplicitID reports whether the id was written in the file.
	ExplicitID bool
	// Params are the arguments in wire order (generic type parameters such as
	// `{X:Type}` are not included; see TypeParams).
	Params []Param
	// TypeParams names the generic parameters, e.g. ["X"] for invokeWithLayer.
	TypeParams []string
	// Result is the type after `=`: for constructors the abstract type they
	// build, for functions the type they return.
	Result TypeRef
	// Function reports whether the line came from a functions section.
	Function bool
	// Line is the 1-based line number in the source.
	Line int
	// Source is the line as written (without the trailing semicolon).
	Source string
}

// Param is one argument of a combinator.
type Param struct {
	Name string
	Type TypeRef
	// FlagField is the name of the flags word this field depends on
	// (e.g. "flags" or "flags2"), or "" when the field is always present.
	FlagField string
	// FlagBit is the bit within FlagField.
	FlagBit int
}

// Conditional reports whether the field is present only when a flag bit is set.
func (p Param) Conditional() bool { return p.FlagField != "" }

// IsFlags reports whether the field is a flags word (`name:#`).
func (p Param) IsFlags() bool { return p.Type.Name == "#" }

// IsTrueFlag reports whether the field is a `flags.N?true` marker that takes
// no bytes on the wire.
func (p Param) IsTrueFlag() bool { return p.Conditional() && p.Type.Name == "true" }

// TypeRef is a reference to a type inside a combinator.
type TypeRef struct {
	// Name is the type or constructor name without `%` or `!`, e.g. "int",
	// "Vector", "vector", "InputPeer", "future_salt", "messages.Messages", "X".
	Name string
	// Bare reports a bare reference: `%T`, a lower-case constructor name, or
	// a built-in bare primitive.
	Bare bool
	// Generic reports `!X`: the value is any object of the function's generic
	// type parameter.
	Generic bool
	// TypeParam reports that Name is a generic type parameter (e.g. the
	// result type `X` of invokeWithLayer).
	TypeParam bool
	// Elem is the element type of a vector.
	Elem *TypeRef
}

// IsVector reports whether the reference is Vector<T> or vector<T>.
func (t TypeRef) IsVector() bool { return t.Elem != nil }

// String renders the reference as it would be written in a schema.
func (t TypeRef) String() string {
	switch {
	case t.Elem != nil:
		return t.Name + "<" + t.Elem.String() + ">"
	case t.Generic:
		return "!" + t.Name
	case t.Bare && !IsPrimitive(t.Name) && !isLowerName(t.Name):
		return "%" + t.Name
	}
	return t.Name
}

// primitives are the built-in bare types that have no constructor id.
var primitives = map[string]bool{
	"int": true, "long": true, "double": true, "string": true, "bytes": true,
	"int128": true, "int256": true, "#": true, "true": true,
}

// IsPrimitive reports whether name is a built-in TL primitive (int, long,
// double, string, bytes, int128, int256, # and the `true` flag type).
func IsPrimitive(name string) bool { return primitives[name] }

// isLowerName reports whether the last dotted component of name starts with a
// lower-case letter, which in TL marks a constructor (and so a bare type).
func isLowerName(name string) bool {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name != "" && name[0] >= 'a' && name[0] <= 'z'
}

// ParseError reports a line the parser could not understand.
type ParseError struct {
	Line int
	Text string
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("tl schema: line %d: %s: %q", e.Line, e.Msg, e.Text)
}

// Options tune parsing.
type Options struct {
	// Skip reports combinators to leave out by name (for example the tdesktop
	// internal `tls*` lines of mtproto.tl, which have no ids).
	Skip func(name string) bool
}

// builtin names declared in schemas but handled by the codec itself.
var builtinDecl = map[string]bool{
	"int": true, "long": true, "double": true, "string": true,
	"vector": true, "int128": true, "int256": true,
}

// Parse parses a TL schema.
func Parse(text string, opts Options) (*Schema, error) {
	s := &Schema{}
	functions := false
	var stmt strings.Builder
	stmtLine := 0
	for i, raw := range strings.Split(text, "\n") {
		lineNo := i + 1
		line := raw
		if j := strings.Index(line, "//"); j >= 0 {
			comment := strings.TrimSpace(line[j+2:])
			if strings.HasPrefix(comment, "LAYER ") {
				if n, err := strconv.Atoi(strings.TrimSpace(comment[6:])); err == nil {
					s.Layer = n
				}
			}
			line = line[:j]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "---") {
			switch line {
			case "---functions---":
				functions = true
			case "---types---":
				functions = false
			default:
				return nil, &ParseError{lineNo, raw, "unknown section"}
			}
			continue
		}
		if stmt.Len() == 0 {
			stmtLine = lineNo
		} else {
			stmt.WriteByte(' ')
		}
		stmt.WriteString(line)
		if !strings.HasSuffix(line, ";") {
			continue
		}
		src := strings.TrimSpace(strings.TrimSuffix(stmt.String(), ";"))
		stmt.Reset()
		c, err := parseCombinator(src, stmtLine)
		if err != nil {
			return nil, err
		}
		if c == nil || (opts.Skip != nil && opts.Skip(c.Name)) {
			continue
		}
		c.Function = functions
		if functions {
			s.Functions = append(s.Functions, c)
		} else {
			s.Constructors = append(s.Constructors, c)
		}
	}
	if strings.TrimSpace(stmt.String()) != "" {
		return nil, &ParseError{stmtLine, stmt.String(), "statement without ';'"}
	}
	return s, nil
}

func parseCombinator(src string, line int) (*Combinator, error) {
	fail := func(msg string) (*Combinator, error) { return nil, &ParseError{line, src, msg} }
	eq := strings.LastIndex(src, "=")
	if eq < 0 {
		return fail("missing '='")
	}
	lhs := strings.Fields(src[:eq])
	rhs := strings.TrimSpace(src[eq+1:])
	if len(lhs) == 0 || rhs == "" {
		return fail("empty combinator")
	}
	c := &Combinator{Line: line, Source: src}
	head := lhs[0]
	if k := strings.IndexByte(head, '#'); k >= 0 {
		c.Name = head[:k]
		id, err := strconv.ParseUint(head[k+1:], 16, 32)
		if err != nil {
			return fail("bad id")
		}
		c.ID = uint32(id)
		c.ExplicitID = true
	} else {
		c.Name = head
	}
	if builtinDecl[c.Name] {
		return nil, nil // built-in declarations such as `int ? = Int;`
	}
	typeParams := map[string]bool{}
	for _, tok := range lhs[1:] {
		switch {
		case strings.HasPrefix(tok, "{") && strings.HasSuffix(tok, "}"):
			name, kind, ok := strings.Cut(tok[1:len(tok)-1], ":")
			if !ok || kind != "Type" {
				return fail("unsupported type parameter " + tok)
			}
			c.TypeParams = append(c.TypeParams, name)
			typeParams[name] = true
		case tok == "#" || tok == "[" || tok == "]" || tok == "t" || tok == "?":
			// Only the built-in vector declaration uses these forms.
			return fail("unsupported construct " + tok)
		default:
			name, typ, ok := strings.Cut(tok, ":")
			if !ok || name == "" || typ == "" {
				return fail("bad argument " + tok)
			}
			p := Param{Name: name}
			if q := strings.IndexByte(typ, '?'); q >= 0 {
				cond := typ[:q]
				typ = typ[q+1:]
				field, bit, ok := strings.Cut(cond, ".")
				if !ok {
					return fail("bad condition " + cond)
				}
				n, err := strconv.Atoi(bit)
				if err != nil || n < 0 || n > 31 {
					return fail("bad flag bit " + cond)
				}
				found := false
				for _, prev := range c.Params {
					if prev.Name == field && prev.IsFlags() {
						found = true
					}
				}
				if !found {
					return fail("condition on unknown flags field " + field)
				}
				p.FlagField, p.FlagBit = field, n
			}
			ref, err := parseType(typ, typeParams)
			if err != nil {
				return fail(err.Error())
			}
			if ref.Name == "true" && !p.Conditional() {
				return fail("true type outside a flag condition")
			}
			p.Type = ref
			c.Params = append(c.Params, p)
		}
	}
	res, err := parseType(rhs, typeParams)
	if err != nil {
		return fail(err.Error())
	}
	if res.Generic {
		return fail("result cannot be !X")
	}
	c.Result = res
	if !c.ExplicitID {
		c.ID = ComputeID(c)
	}
	return c, nil
}

func parseType(s string, typeParams map[string]bool) (TypeRef, error) {
	var t TypeRef
	switch {
	case strings.HasPrefix(s, "!"):
		t.Generic = true
		s = s[1:]
		if !typeParams[s] {
			return t, fmt.Errorf("!%s is not a type parameter", s)
		}
	case strings.HasPrefix(s, "%"):
		t.Bare = true
		s = s[1:]
	}
	if lt := strings.IndexByte(s, '<'); lt >= 0 {
		if !strings.HasSuffix(s, ">") {
			return t, fmt.Errorf("unbalanced <> in %s", s)
		}
		outer := s[:lt]
		if outer != "Vector" && outer != "vector" {
			return t, fmt.Errorf("unsupported generic type %s", outer)
		}
		elem, err := parseType(s[lt+1:len(s)-1], typeParams)
		if err != nil {
			return t, err
		}
		t.Name = outer
		t.Bare = outer == "vector"
		t.Elem = &elem
		return t, nil
	}
	if s == "" {
		return t, fmt.Errorf("empty type")
	}
	t.Name = s
	if typeParams[s] && !t.Generic {
		t.TypeParam = true
	}
	if IsPrimitive(s) || isLowerName(s) {
		t.Bare = true
	}
	return t, nil
}

// NormalizedLine returns the text whose CRC32 is the combinator id, following
// the rule stated in schema/README.md: no id, `<`→space, no `>`/`{`/`}`,
// `?true` flag fields dropped, a field of type bytes written as string.
func NormalizedLine(c *Combinator) string {
	var b strings.Builder
	b.WriteString(c.Name)
	for _, tp := range c.TypeParams {
		b.WriteString(" " + tp + ":Type")
	}
	for _, p := range c.Params {
		if p.IsTrueFlag() {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(p.Name)
		b.WriteByte(':')
		if p.Conditional() {
			b.WriteString(p.FlagField + "." + strconv.Itoa(p.FlagBit) + "?")
		}
		if p.Type.Name == "bytes" && p.Type.Elem == nil && !p.Type.Generic {
			b.WriteString("string")
		} else {
			b.WriteString(normType(p.Type))
		}
	}
	b.WriteString(" = ")
	b.WriteString(normType(c.Result))
	return b.String()
}

func normType(t TypeRef) string {
	if t.Elem != nil {
		return t.Name + " " + normType(*t.Elem)
	}
	s := t.String()
	return s
}

// ComputeID computes the CRC32 (IEEE) id of a combinator from its normalized
// text. Published ids must be used as written: a few mtproto.tl ids do not
// follow the rule.
func ComputeID(c *Combinator) uint32 {
	return crc32.ChecksumIEEE([]byte(NormalizedLine(c)))
}

// Types groups constructors by the abstract type they build, preserving file
// order both of types (by first constructor) and of constructors.
func (s *Schema) Types() (names []string, byType map[string][]*Combinator) {
	byType = map[string][]*Combinator{}
	for _, c := range s.Constructors {
		n := c.Result.Name
		if _, ok := byType[n]; !ok {
			names = append(names, n)
		}
		byType[n] = append(byType[n], c)
	}
	return names, byType
}
