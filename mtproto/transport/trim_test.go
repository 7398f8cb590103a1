package transport

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestTrimPaddingRecoversMTProtoPackets(t *testing.T) {
	plain := make([]byte, 20+8)
	binary.LittleEndian.PutUint32(plain[16:], 8)
	enc := make([]byte, 24+32)
	enc[0] = 1
	errPkt := []byte{0x6c, 0xfe, 0xff, 0xff}
	for _, pkt := range [][]byte{plain, enc, errPkt} {
		for pad := 0; pad < 16; pad++ {
			padded := append(bytes.Clone(pkt), make([]byte, pad)...)
			if got := TrimPadding(padded); !bytes.Equal(got, pkt) {
				t.Fatalf("packet %x with %d padding bytes trimmed to %d bytes", pkt[:4], pad, len(got))
			}
		}
	}
}
