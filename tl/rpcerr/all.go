package rpcerr

import "sort"

// All returns every known RPC error, sorted by name (a fresh slice: the
// caller may keep or change it).
func All() []Info {
	out := make([]Info, 0, len(known))
	for _, i := range known {
		i.Codes = append([]int(nil), i.Codes...)
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}
