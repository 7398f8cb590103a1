package bridge

import (
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/schema"
)

var (
	schemaOnce sync.Once
	schemaMP   []byte
	schemaErr  error
)

// SchemaMsgpack is the schema as msgpack (built once): constructors,
// functions with their params, and types → constructors.
func SchemaMsgpack() ([]byte, error) {
	schemaOnce.Do(func() {
		s, err := schema.Parse(api.SchemaText, schema.Options{})
		if err != nil {
			schemaErr = err
			return
		}
		combs := func(list []*schema.Combinator) []any {
			out := make([]any, 0, len(list))
			for _, c := range list {
				params := make([]any, 0, len(c.Params))
				for _, p := range c.Params {
					m := kv{"name", p.Name, "type", p.Type.String()}
					if p.Conditional() {
						m = append(m, "flag_field", p.FlagField, "flag_bit", p.FlagBit)
					}
					if p.IsFlags() {
						m = append(m, "is_flags", true)
					}
					params = append(params, m)
				}
				m := kv{"name", c.Name, "id", int64(c.ID)}
				if c.Function {
					m = append(m, "result", c.Result.String())
				} else {
					m = append(m, "type", c.Result.String())
				}
				out = append(out, append(m, "params", params))
			}
			return out
		}
		names, byType := s.Types()
		types := make(kv, 0, 2*len(names))
		for _, n := range names {
			cs := make([]any, 0, len(byType[n]))
			for _, c := range byType[n] {
				cs = append(cs, c.Name)
			}
			types = append(types, n, cs)
		}
		schemaMP = kv{"layer", s.Layer, "constructors", combs(s.Constructors), "functions", combs(s.Functions),
			"types", types}.encode()
	})
	return schemaMP, schemaErr
}

// Stats are process-wide figures for leak checks.
func Stats(collect bool) []byte {
	if collect {
		debug.FreeOSMemory() // a collection, and free pages back to the OS
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	nClients, nEmus, pending, queued := 0, 0, 0, 0
	clients.Range(func(_, v any) bool {
		c := v.(*Client)
		nClients++
		c.mu.Lock()
		pending += len(c.pending)
		c.mu.Unlock()
		queued += c.q.size()
		return true
	})
	emulators.Range(func(_, _ any) bool { nEmus++; return true })
	return kv{"go_heap_alloc", int64(ms.HeapAlloc), "go_heap_sys", int64(ms.HeapSys), "go_total_sys", int64(ms.Sys),
		"goroutines", runtime.NumGoroutine(), "clients", nClients, "emulators", nEmus,
		"pending_requests", pending, "queued_events", queued}.encode()
}
