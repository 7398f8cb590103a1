package transport

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// SecretMode is the flavour of an MTProxy secret.
type SecretMode uint8

const (
	// SecretSimple is a bare 16-byte secret: obfuscated2 keyed with it, any
	// framing except full.
	SecretSimple SecretMode = iota
	// SecretPadded is a "dd" secret (0xdd + 16 bytes): like SecretSimple but
	// the padded intermediate framing is mandatory.
	SecretPadded
	// SecretFakeTLS is an "ee" secret (0xee + 16 bytes + domain): the
	// connection starts with a TLS 1.3-looking handshake for the domain and
	// carries obfuscated2 inside TLS application-data records.
	SecretFakeTLS
)

// String returns "simple", "dd" or "ee".
func (m SecretMode) String() string {
	switch m {
	case SecretSimple:
		return "simple"
	case SecretPadded:
		return "dd"
	case SecretFakeTLS:
		return "ee"
	}
	return fmt.Sprintf("SecretMode(%d)", uint8(m))
}

// Secret is an MTProxy secret. The zero Mode is SecretSimple, so
// Secret{Key: k} is a valid simple secret.
type Secret struct {
	Key    [16]byte   // the key mixed into the obfuscated2 keys and the fake-TLS HMACs
	Mode   SecretMode // simple, dd or ee
	Domain string     // ee only: the SNI host name the client presents
}

const maxDomainLen = 253

// ParseSecret parses an MTProxy secret as found in proxy links: hex or base64
// (standard or URL alphabet, padded or not) of 16 bytes (simple), 0xdd + 16
// bytes (padded), or 0xee + 16 bytes + domain (fake-TLS). Any other 17-byte
// secret is treated as padded, as the MTProto documentation asks.
func ParseSecret(s string) (*Secret, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("transport: empty MTProxy secret")
	}
	var hexErr error
	if b, err := hex.DecodeString(s); err == nil {
		sec, err := secretFromBytes(b)
		if err == nil {
			return sec, nil
		}
		hexErr = err
	}
	norm := strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(s), "=")
	b, err := base64.RawURLEncoding.DecodeString(norm)
	if err != nil {
		if hexErr != nil {
			return nil, hexErr
		}
		return nil, fmt.Errorf("transport: MTProxy secret %q is neither hex nor base64", abbreviate(s))
	}
	sec, err := secretFromBytes(b)
	if err != nil {
		if hexErr != nil {
			return nil, hexErr
		}
		return nil, err
	}
	return sec, nil
}

func secretFromBytes(b []byte) (*Secret, error) {
	var s Secret
	switch {
	case len(b) == 16:
		s.Mode = SecretSimple
		copy(s.Key[:], b)
	case len(b) == 17 && b[0] != 0xee:
		s.Mode = SecretPadded
		copy(s.Key[:], b[1:])
	case len(b) > 17 && b[0] == 0xee:
		s.Mode = SecretFakeTLS
		copy(s.Key[:], b[1:17])
		s.Domain = string(b[17:])
		if err := checkDomain(s.Domain); err != nil {
			return nil, err
		}
	case len(b) == 17:
		return nil, errors.New("transport: fake-TLS (ee) MTProxy secret has no domain after its 16-byte key")
	default:
		return nil, fmt.Errorf("transport: MTProxy secret decodes to %d bytes; want 16, 0xdd+16, or 0xee+16+domain", len(b))
	}
	return &s, nil
}

func checkDomain(d string) error {
	if d == "" || len(d) > maxDomainLen {
		return fmt.Errorf("transport: fake-TLS domain must be 1..%d bytes, got %d", maxDomainLen, len(d))
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("transport: fake-TLS domain %q contains byte %#x; want a printable ASCII host name", abbreviate(d), c)
		}
	}
	return nil
}

func abbreviate(s string) string {
	if len(s) > 48 {
		return s[:45] + "..."
	}
	return s
}

// Bytes returns the secret in its binary link form: [0xdd|0xee] key [domain].
func (s *Secret) Bytes() []byte {
	var b []byte
	switch s.Mode {
	case SecretPadded:
		b = append(b, 0xdd)
	case SecretFakeTLS:
		b = append(b, 0xee)
	}
	b = append(b, s.Key[:]...)
	if s.Mode == SecretFakeTLS {
		b = append(b, s.Domain...)
	}
	return b
}

// String returns the secret as lowercase hex, the form ParseSecret accepts.
func (s *Secret) String() string { return hex.EncodeToString(s.Bytes()) }

// validate checks a Secret built by hand.
func (s *Secret) validate() error {
	switch s.Mode {
	case SecretSimple, SecretPadded:
		return nil
	case SecretFakeTLS:
		return checkDomain(s.Domain)
	}
	return fmt.Errorf("transport: invalid secret mode %v", s.Mode)
}
