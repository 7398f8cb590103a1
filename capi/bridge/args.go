package bridge

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// fields reads a decoded msgpack map strictly: each accessor checks the
// type, the first failure sticks (later reads return zero values), and
// finish reports keys nobody read, which are nearly always typos.
type fields struct {
	what string // "config", "send_message", ... for messages
	noun string // "argument" or "key"
	m    map[string]any
	used map[string]bool
	err  *Error
}

// newFields wraps v, which must be a map or nil (no fields).
func newFields(what, noun string, v any) *fields {
	f := &fields{what: what, noun: noun, used: map[string]bool{}}
	switch x := v.(type) {
	case nil:
		f.m = map[string]any{}
	case map[string]any:
		f.m = x
	default:
		f.m = map[string]any{}
		f.fail("%s: the %ss must be a map, got %s", what, noun, typeName(v))
	}
	return f
}

func (f *fields) fail(format string, args ...any) {
	if f.err == nil {
		f.err = errorf(statusInvalidArgument, format, args...)
	}
}

func (f *fields) wrongType(k, want string, got any) {
	f.fail("%s: %s %q must be %s, got %s", f.what, f.noun, k, want, typeName(got))
}

// get returns a present, non-nil value (nil counts as absent).
func (f *fields) get(k string) (any, bool) {
	f.used[k] = true
	v, ok := f.m[k]
	return v, ok && v != nil && f.err == nil
}

func (f *fields) has(k string) bool {
	v, ok := f.m[k]
	return ok && v != nil
}

func (f *fields) required(k string) bool {
	if f.err == nil && !f.has(k) {
		f.used[k] = true
		f.fail("%s: %s %q is required", f.what, f.noun, k)
		return false
	}
	return true
}

func (f *fields) str(k, def string) string {
	v, ok := f.get(k)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		f.wrongType(k, "str", v)
	}
	return s
}

func (f *fields) reqStr(k string) string {
	if !f.required(k) {
		return ""
	}
	return f.str(k, "")
}

// asInt converts a msgpack integer.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		return 0, false // above MaxInt64: out of range for every use here
	}
	return 0, false
}

func (f *fields) int(k string, def int64) int64 {
	v, ok := f.get(k)
	if !ok {
		return def
	}
	n, ok := asInt(v)
	if !ok {
		f.wrongType(k, "an int", v)
	}
	return n
}

func (f *fields) reqInt(k string) int64 {
	if !f.required(k) {
		return 0
	}
	return f.int(k, 0)
}

// int32 reads an int that must fit in 32 bits (message ids, DC ids).
func (f *fields) int32(k string, def int32) int32 {
	n := f.int(k, int64(def))
	if n < math.MinInt32 || n > math.MaxInt32 {
		f.fail("%s: %s %q = %d is out of the 32-bit range", f.what, f.noun, k, n)
		return 0
	}
	return int32(n)
}

func (f *fields) reqInt32(k string) int32 {
	if !f.required(k) {
		return 0
	}
	return f.int32(k, 0)
}

func (f *fields) bool(k string, def bool) bool {
	v, ok := f.get(k)
	if !ok {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		f.wrongType(k, "a bool", v)
	}
	return b
}

// seconds reads a duration given in seconds (int or float).
func (f *fields) seconds(k string, def time.Duration) time.Duration {
	v, ok := f.get(k)
	if !ok {
		return def
	}
	var s float64
	switch x := v.(type) {
	case int64:
		s = float64(x)
	case float64:
		s = x
	default:
		f.wrongType(k, "a number of seconds", v)
		return 0
	}
	if math.IsNaN(s) || math.Abs(s) > 1e9 {
		f.fail("%s: %s %q = %v seconds is out of range", f.what, f.noun, k, s)
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

func (f *fields) list(k string) []any {
	v, ok := f.get(k)
	if !ok {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		f.wrongType(k, "an array", v)
	}
	return l
}

func (f *fields) ints32(k string) []int32 {
	l := f.list(k)
	out := make([]int32, 0, len(l))
	for i, e := range l {
		n, ok := asInt(e)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			f.fail("%s: %s %q[%d] must be a 32-bit int, got %s", f.what, f.noun, k, i, typeName(e))
			return nil
		}
		out = append(out, int32(n))
	}
	return out
}

func (f *fields) reqInts32(k string) []int32 {
	if !f.required(k) {
		return nil
	}
	return f.ints32(k)
}

func (f *fields) ints64(k string) []int64 {
	l := f.list(k)
	out := make([]int64, 0, len(l))
	for i, e := range l {
		n, ok := asInt(e)
		if !ok {
			f.fail("%s: %s %q[%d] must be an int, got %s", f.what, f.noun, k, i, typeName(e))
			return nil
		}
		out = append(out, n)
	}
	return out
}

func (f *fields) strs(k string) []string {
	l := f.list(k)
	out := make([]string, 0, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			f.fail("%s: %s %q[%d] must be a str, got %s", f.what, f.noun, k, i, typeName(e))
			return nil
		}
		out = append(out, s)
	}
	return out
}

// value returns a present value of any type (checked by the caller).
func (f *fields) value(k string) any {
	v, _ := f.get(k)
	return v
}

// finish returns the first error, or one naming the unknown keys.
func (f *fields) finish() *Error {
	if f.err != nil {
		return f.err
	}
	var unknown []string
	for k := range f.m {
		if !f.used[k] {
			unknown = append(unknown, fmt.Sprintf("%q", k))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := make([]string, 0, len(f.used))
		for k := range f.used {
			known = append(known, k)
		}
		sort.Strings(known)
		return errorf(statusInvalidArgument, "%s: unknown %s %s (known: %s)", f.what, f.noun,
			strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return nil
}
