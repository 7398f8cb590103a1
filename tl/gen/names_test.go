package main

import "testing"

func TestGoNames(t *testing.T) {
	for in, want := range map[string]string{
		"inputPeerUser":     "InputPeerUser",
		"messages.messages": "MessagesMessages",
		"user_id":           "UserID",
		"p_q_inner_data_dc": "PQInnerDataDC",
		"keyboardButtonUrl": "KeyboardButtonURL",
		"dc_id":             "DCID",
		"ipv6":              "IPv6",
		"2fa":               "X2fa",
		"type":              "Type",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fieldName("type_name"); got != "TypeName_" {
		t.Errorf("reserved field got %q", got)
	}
}
