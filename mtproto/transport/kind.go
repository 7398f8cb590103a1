package transport

import "fmt"

// Kind is an MTProto framing.
type Kind uint8

// The framings of https://core.telegram.org/mtproto/mtproto-transports.
// The zero Kind means "not chosen": Options picks a default for it.
const (
	// Abridged: 1-byte length/4 (or 0x7f and 3 bytes), tag 0xef. Payloads
	// must be a multiple of 4 bytes long.
	Abridged Kind = iota + 1
	// Intermediate: 4-byte little-endian length, tag 0xeeeeeeee.
	Intermediate
	// PaddedIntermediate: like Intermediate with 0–15 random padding bytes
	// counted in the length, tag 0xdddddddd. Required by "dd" and "ee" MTProxy
	// secrets.
	PaddedIntermediate
	// Full: length, sequence number, payload and CRC32; no tag. It cannot be
	// obfuscated (obfuscated2 has no protocol tag for it).
	Full
)

// String returns the framing's name as the MTProto documentation spells it.
func (k Kind) String() string {
	switch k {
	case Abridged:
		return "abridged"
	case Intermediate:
		return "intermediate"
	case PaddedIntermediate:
		return "padded intermediate"
	case Full:
		return "full"
	case 0:
		return "unset"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

func (k Kind) valid() bool { return k >= Abridged && k <= Full }

// plainTag is what a client sends before its first frame on an unobfuscated
// connection.
func (k Kind) plainTag() []byte {
	switch k {
	case Abridged:
		return []byte{0xef}
	case Intermediate:
		return []byte{0xee, 0xee, 0xee, 0xee}
	case PaddedIntermediate:
		return []byte{0xdd, 0xdd, 0xdd, 0xdd}
	}
	return nil
}

// obfuscatedTag is the 4-byte protocol tag at offset 56 of an obfuscated2
// init; ok is false for Full, which has none.
func (k Kind) obfuscatedTag() (tag [4]byte, ok bool) {
	switch k {
	case Abridged:
		return [4]byte{0xef, 0xef, 0xef, 0xef}, true
	case Intermediate:
		return [4]byte{0xee, 0xee, 0xee, 0xee}, true
	case PaddedIntermediate:
		return [4]byte{0xdd, 0xdd, 0xdd, 0xdd}, true
	}
	return tag, false
}

// kindFromTag maps an obfuscated2 protocol tag back to its framing.
func kindFromTag(tag []byte) Kind {
	if len(tag) != 4 || tag[0] != tag[1] || tag[0] != tag[2] || tag[0] != tag[3] {
		return 0
	}
	switch tag[0] {
	case 0xef:
		return Abridged
	case 0xee:
		return Intermediate
	case 0xdd:
		return PaddedIntermediate
	}
	return 0
}

// Role says which end of a connection a Codec serves. It decides how
// quick-ack bits are read: a client receives quick-ack tokens, a server
// receives quick-ack requests.
type Role uint8

const (
	// RoleClient is the end that opens the connection and sends the
	// connection tag.
	RoleClient Role = iota
	// RoleServer is the accepting end (a Telegram DC, an MTProxy, the emulator).
	RoleServer
)

// String returns "client" or "server".
func (r Role) String() string {
	switch r {
	case RoleClient:
		return "client"
	case RoleServer:
		return "server"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}
