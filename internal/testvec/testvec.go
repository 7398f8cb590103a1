// Package testvec loads the known-answer vectors in testdata/vectors (copied
// from the project's shared vector set; each entry names its public source)
// for tests in any package.
package testvec

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	once sync.Once
	data map[string]json.RawMessage
	err  error
)

// Path returns the path of mtproto-vectors.json.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "vectors", "mtproto-vectors.json")
}

// Entry is one vector: its fields as decoded JSON values.
type Entry map[string]any

// Group returns the entries of a group such as "tl_serialization".
func Group(t testing.TB, name string) []Entry {
	t.Helper()
	once.Do(func() {
		var b []byte
		if b, err = os.ReadFile(Path()); err == nil {
			err = json.Unmarshal(b, &data)
		}
	})
	if err != nil {
		t.Fatalf("loading vectors: %v", err)
	}
	raw, ok := data[name]
	if !ok {
		t.Fatalf("no vector group %q", name)
	}
	var out []Entry
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("vector group %q: %v", name, err)
	}
	return out
}

// ByID returns the entry of a group with the given "id".
func ByID(t testing.TB, group, id string) Entry {
	t.Helper()
	for _, e := range Group(t, group) {
		if e["id"] == id {
			return e
		}
	}
	t.Fatalf("no vector %q in %q", id, group)
	return nil
}

// Hex decodes the hex string field key.
func (e Entry) Hex(t testing.TB, key string) []byte {
	t.Helper()
	s, ok := e[key].(string)
	if !ok {
		t.Fatalf("vector %v: field %q is not a string", e["id"], key)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("vector %v: field %q: %v", e["id"], key, err)
	}
	return b
}
