package rpcerr

import "testing"

func TestAllListsEveryKnownErrorSorted(t *testing.T) {
	all := All()
	if len(all) != len(known) || len(all) < 500 {
		t.Fatalf("%d errors, %d known", len(all), len(known))
	}
	for i, e := range all {
		if i > 0 && all[i-1].Name >= e.Name {
			t.Fatalf("not sorted at %d: %s, %s", i, all[i-1].Name, e.Name)
		}
		if len(e.Codes) == 0 {
			t.Fatalf("%s has no code", e.Name)
		}
	}
	all[0].Codes[0] = -1
	if All()[0].Codes[0] == -1 {
		t.Fatal("All shares its slices with the table")
	}
}
