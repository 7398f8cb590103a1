package core

import "testing"

func TestInviteHashAndUsernameParsing(t *testing.T) {
	for in, want := range map[string]string{
		"https://t.me/+AbC_d-1": "AbC_d-1", "t.me/joinchat/XyZ": "XyZ", "tg://join?invite=Q1&x=2": "Q1",
	} {
		if got, ok := InviteHash(in); !ok || got != want {
			t.Errorf("InviteHash(%q) = %q %v", in, got, ok)
		}
	}
	if _, ok := InviteHash("t.me/durov"); ok {
		t.Error("a username taken for an invite")
	}
	for in, want := range map[string]string{
		"@durov": "durov", "https://t.me/durov": "durov", "t.me/durov/12": "durov", "durov": "durov",
	} {
		if got := usernameOf(in); got != want {
			t.Errorf("usernameOf(%q) = %q", in, got)
		}
	}
}
