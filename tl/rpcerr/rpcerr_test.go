package rpcerr

import "testing"

func TestMatchReadsTheNumber(t *testing.T) {
	cases := []struct {
		msg, pattern string
		n            int
	}{
		{"FLOOD_WAIT_42", ErrFloodWait, 42},
		{"PHONE_MIGRATE_2", ErrPhoneMigrate, 2},
		{"2FA_CONFIRM_WAIT_3600", Err2FAConfirmWait, 3600},
		{"INTERDC_4_CALL_ERROR", ErrInterdcCallError, 4},
		{"PEER_ID_INVALID", ErrPeerIDInvalid, -1},
	}
	for _, c := range cases {
		info, n, ok := Match(c.msg)
		if !ok || info.Name != c.pattern || n != c.n {
			t.Errorf("Match(%q) = %q %d %v, want %q %d", c.msg, info.Name, n, ok, c.pattern, c.n)
		}
	}
	if info, _, _ := Match("FLOOD_WAIT_42"); len(info.Codes) != 1 || info.Codes[0] != 420 || info.Description == "" {
		t.Errorf("flood wait info %+v", info)
	}
	if _, _, ok := Match("SOMETHING_NEW_FROM_TELEGRAM"); ok {
		t.Error("unknown error matched")
	}
}

func TestSplitWorksForUnknownErrors(t *testing.T) {
	if p, n, ok := Split("NEW_THING_WAIT_17"); p != "NEW_THING_WAIT_X" || n != 17 || !ok {
		t.Errorf("got %q %d %v", p, n, ok)
	}
	if p, n, ok := Split("FLOOD_PREMIUM_WAIT_5"); p != "FLOOD_PREMIUM_WAIT_X" || n != 5 || !ok {
		t.Errorf("got %q %d %v", p, n, ok)
	}
	if p, _, ok := Split("USER_DEACTIVATED"); p != "USER_DEACTIVATED" || ok {
		t.Errorf("got %q %v", p, ok)
	}
}
