package bridge

import (
	"testing"

	"github.com/polygram/polygram/tl/rpcerr"
)

func TestErrorsMsgpackListsEveryKnownRPCError(t *testing.T) {
	v, err := decodeMsgpack(ErrorsMsgpack())
	if err != nil {
		t.Fatal(err)
	}
	list, ok := v.([]any)
	if !ok || len(list) != len(rpcerr.All()) {
		t.Fatalf("got %T of %d", v, len(list))
	}
	byName := map[string]map[string]any{}
	for _, x := range list {
		m := x.(map[string]any)
		byName[m["name"].(string)] = m
	}
	fw := byName["FLOOD_WAIT_X"]
	if fw == nil || fw["code"] != int64(420) || fw["description"] == "" {
		t.Fatalf("FLOOD_WAIT_X: %v", fw)
	}
	pm := byName["PHONE_MIGRATE_X"]
	if pm == nil || pm["code"] != int64(303) {
		t.Fatalf("PHONE_MIGRATE_X: %v", pm)
	}
	multi := 0
	for _, m := range byName {
		if codes := m["codes"].([]any); len(codes) > 1 {
			multi++
			if codes[0] != m["code"] {
				t.Fatalf("%v: code is not the first of codes", m)
			}
		}
	}
	if multi == 0 {
		t.Fatal("no error lists several codes")
	}
}
