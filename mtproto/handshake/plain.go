package handshake

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrPlain reports an unencrypted message that is malformed.
var ErrPlain = errors.New("handshake: malformed unencrypted message")

// WrapPlain frames a body as an unencrypted message: auth_key_id = 0,
// message_id, message_data_length, body.
func WrapPlain(msgID int64, body []byte) []byte {
	out := make([]byte, 20, 20+len(body))
	binary.LittleEndian.PutUint64(out[8:], uint64(msgID))
	binary.LittleEndian.PutUint32(out[16:], uint32(len(body)))
	return append(out, body...)
}

// UnwrapPlain checks an unencrypted message and returns its msg_id and body.
func UnwrapPlain(packet []byte) (int64, []byte, error) {
	if len(packet) < 24 {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrPlain, len(packet))
	}
	if binary.LittleEndian.Uint64(packet) != 0 {
		return 0, nil, fmt.Errorf("%w: auth_key_id is not zero", ErrPlain)
	}
	n := binary.LittleEndian.Uint32(packet[16:])
	if int(n) != len(packet)-20 || n%4 != 0 {
		return 0, nil, fmt.Errorf("%w: length %d in a %d-byte packet", ErrPlain, n, len(packet))
	}
	return int64(binary.LittleEndian.Uint64(packet[8:])), packet[20:], nil
}

// IsPlain reports whether a packet is unencrypted (auth_key_id = 0).
func IsPlain(packet []byte) bool {
	return len(packet) >= 8 && binary.LittleEndian.Uint64(packet) == 0
}
