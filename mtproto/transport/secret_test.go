package transport_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/polygram/polygram/mtproto/transport"
)

func TestParseSecret(t *testing.T) {
	key := "00112233445566778899aabbccddeeff"
	keyBytes, _ := hex.DecodeString(key)
	domainHex := hex.EncodeToString([]byte("telegram.org"))
	eeBytes, _ := hex.DecodeString("ee" + key + domainHex)
	ddBytes, _ := hex.DecodeString("dd" + key)

	cases := []struct {
		in     string
		mode   transport.SecretMode
		domain string
	}{
		{key, transport.SecretSimple, ""},
		{strings.ToUpper(key), transport.SecretSimple, ""},
		{"  " + key + "\n", transport.SecretSimple, ""},
		{"dd" + key, transport.SecretPadded, ""},
		{"ee" + key + domainHex, transport.SecretFakeTLS, "telegram.org"},
		{base64.StdEncoding.EncodeToString(keyBytes), transport.SecretSimple, ""},
		{base64.RawStdEncoding.EncodeToString(ddBytes), transport.SecretPadded, ""},
		{base64.URLEncoding.EncodeToString(eeBytes), transport.SecretFakeTLS, "telegram.org"},
		{base64.RawURLEncoding.EncodeToString(eeBytes), transport.SecretFakeTLS, "telegram.org"},
		{"7" + "7" + key, transport.SecretPadded, ""}, // any other 17-byte secret: padded, as documented
	}
	for _, tc := range cases {
		s, err := transport.ParseSecret(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if s.Mode != tc.mode || s.Domain != tc.domain || hex.EncodeToString(s.Key[:]) != key {
			t.Errorf("%q: got %+v", tc.in, s)
		}
		// String round-trips.
		again, err := transport.ParseSecret(s.String())
		if err != nil || *again != *s {
			t.Errorf("%q: String %q parses to %+v, %v", tc.in, s.String(), again, err)
		}
	}
}

func TestParseSecretRejectsMalformedInput(t *testing.T) {
	for _, in := range []string{
		"",
		"00112233",                               // too short
		"ee00112233445566778899aabbccddeeff",     // ee without domain
		"ee00112233445566778899aabbccddeeff0a0b", // control bytes in the domain
		"zz112233445566778899aabbccddeeff",       // neither hex nor base64 of a valid length
		strings.Repeat("ab", 40),                 // 40 bytes, not ee
	} {
		if s, err := transport.ParseSecret(in); err == nil {
			t.Errorf("%q accepted as %+v", in, s)
		} else {
			t.Logf("%q: %v", in, err)
		}
	}
}

func TestSecretBytes(t *testing.T) {
	s := transport.Secret{Mode: transport.SecretFakeTLS, Domain: "a.b"}
	s.Key[0] = 1
	b := s.Bytes()
	if len(b) != 1+16+3 || b[0] != 0xee || b[1] != 1 || string(b[17:]) != "a.b" {
		t.Fatalf("Bytes % x", b)
	}
	if got := (&transport.Secret{}).String(); got != strings.Repeat("00", 16) {
		t.Fatalf("zero secret String %q", got)
	}
}
