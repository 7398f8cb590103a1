package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/polygram/polygram/emulator"
)

func TestTimesRequestsAgainstAnEmulator(t *testing.T) {
	e, err := emulator.Start(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	line, err := json.Marshal(e.Info())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"-emulator", string(line), "-n", "30", "-warmup", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if r.Call != "help.getNearestDc" || r.N != 30 {
		t.Fatalf("result %+v", r)
	}
	if !(r.MedianUS > 0 && r.P90US >= r.MedianUS && r.P99US >= r.P90US) {
		t.Fatalf("percentiles out of order: %+v", r)
	}
}

func TestRefusesBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "-emulator is required"},
		{[]string{"-emulator", "{"}, "-emulator"},
		{[]string{"-emulator", "{}", "-phone", "12345678"}, "test phone"},
		{[]string{"-emulator", "{}", "-n", "0"}, "-n must be positive"},
		{[]string{"-emulator", `{"public_key_pem":"nope"}`}, "public key"},
	} {
		err := run(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
