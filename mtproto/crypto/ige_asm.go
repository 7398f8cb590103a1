//go:build (amd64 || arm64) && !purego

package crypto

// hwIGE holds AES-256 round keys for the assembly. Slots 0..14 are the
// round keys; slot 15 is slot 0 XOR slot 14, which lets the assembly fold
// the IGE chaining XORs into the last round key. dec holds the "equivalent
// inverse cipher" schedule (FIPS-197 §5.3.5): dec[0] = enc[14],
// dec[i] = InvMixColumns(enc[14-i]), dec[14] = enc[0].
type hwIGE struct {
	ok  bool
	enc [16][16]byte
	dec [16][16]byte
}

// setKey expands key for the assembly path and reports whether that path
// is usable (a 32-byte key and a CPU with AES instructions).
func (h *hwIGE) setKey(key []byte) bool {
	h.ok = supportsAES && len(key) == 32
	if h.ok {
		expandKeyAsm(&key[0], &h.enc, &h.dec)
	}
	return h.ok
}

func (x *IGE) encryptBlocks(dst, src, iv []byte) {
	if x.hw.ok {
		igeEncryptAsm(&x.hw.enc, &dst[0], &src[0], len(src)/16, &iv[0])
		return
	}
	igeEncryptGeneric(x.block, dst, src, iv)
}

func (x *IGE) decryptBlocks(dst, src, iv []byte) {
	if x.hw.ok {
		igeDecryptAsm(&x.hw.dec, &dst[0], &src[0], len(src)/16, &iv[0])
		return
	}
	igeDecryptGeneric(x.block, dst, src, iv)
}

// hardwareIGE reports whether AES-256-IGE runs in assembly on this machine.
func hardwareIGE() bool { return supportsAES }

// expandKeyAsm writes the encryption and decryption schedules of the
// 32-byte key at key (slot 15 included).
//
//go:noescape
func expandKeyAsm(key *byte, enc *[16][16]byte, dec *[16][16]byte)

// igeEncryptAsm encrypts nblocks (>= 1) 16-byte blocks from src to dst
// (which may be equal) with the 32-byte iv.
//
//go:noescape
func igeEncryptAsm(xk *[16][16]byte, dst *byte, src *byte, nblocks int, iv *byte)

// igeDecryptAsm decrypts nblocks (>= 1) blocks with the decryption schedule.
//
//go:noescape
func igeDecryptAsm(xk *[16][16]byte, dst *byte, src *byte, nblocks int, iv *byte)
