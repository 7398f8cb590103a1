//go:build !purego

package crypto

import (
	"encoding/binary"
	"runtime"
)

// useSHANI: the CPU has the SHA extensions and AVX (for VEX encodings with
// unaligned memory operands), and AES-NI for the fused decryption.
var useSHANI = hasSHANI() && supportsAES

func hasSHANI() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const avx, osxsave, ssse3, sse41 = 1 << 28, 1 << 27, 1 << 9, 1 << 19
	if ecx1&(avx|osxsave|ssse3|sse41) != avx|osxsave|ssse3|sse41 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const sha = 1 << 29
	return ebx7&sha != 0 && xmmStateEnabled()
}

// cpuid executes CPUID with the given leaf and subleaf.
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// xmmStateEnabled reports whether the OS saves XMM and YMM state (XGETBV),
// which VEX-encoded instructions need.
func xmmStateEnabled() bool

// sha256BlocksAsm runs the SHA-256 compression on nblocks 64-byte blocks
// at p, updating state (h0..h7).
//
//go:noescape
func sha256BlocksAsm(state *[8]uint32, p *byte, nblocks int)

//go:noescape
func igeDecryptSHA256Asm(dk *[16][16]byte, dst, src *byte, nchunks int, iv *byte, state *[8]uint32)

//go:noescape
func igeEncryptSHA256Asm(ek *[16][16]byte, dst, src *byte, nchunks int, iv *byte, state *[8]uint32, hsrc *byte)

// encryptFused encrypts the first whole 64-byte chunks of src into dst
// (one region of s, len(dst) == len(src)) while it hashes as many blocks of
// next, and returns the bytes done: 0 when this CPU, s's key or next's
// input allow no fused chunk now.
func (s *Seal) encryptFused(dst, src []byte, next *Seal) int {
	if !useSHANI || !s.c.hw.ok {
		return 0
	}
	hb := next.h.blocks()
	chunks := min(len(src), len(hb)) / 64
	if chunks == 0 {
		return 0
	}
	igeEncryptSHA256Asm(&s.c.hw.enc, &dst[0], &src[0], chunks, &s.iv[0], &next.h.st, &hb[0])
	next.h.consumed(64 * chunks)
	return 64 * chunks
}

// decryptAndHash decrypts data (a multiple of 16 bytes) into plain, which
// is as long and may be data itself, with IGE under c's key and iv, and
// returns SHA256(prefix ‖ plain) for the msg_key check, computed in the same
// pass (see msgkey_amd64.s). ok is false, and nothing is done, when this
// CPU or these arguments need the two-pass path.
func decryptAndHash(c *IGE, plain, data []byte, iv [32]byte, prefix []byte) (sum [32]byte, ok bool) {
	n := len(data)
	if !useSHANI || !c.hw.ok || n < 32 || n%16 != 0 || len(plain) < n || len(prefix) != 32 {
		return sum, false
	}
	// The first 32 bytes complete the hash's first block after the prefix.
	var c1 [16]byte
	copy(c1[:], data[16:32]) // before an in-place decryption overwrites it
	igeDecryptAsm(&c.hw.dec, &plain[0], &data[0], 2, &iv[0])
	copy(iv[0:16], c1[:])
	copy(iv[16:32], plain[16:32])
	var block [128]byte
	copy(block[:32], prefix)
	copy(block[32:64], plain[:32])
	st := sha256IV
	sha256BlocksAsm(&st, &block[0], 1)
	// Then whole 64-byte blocks, decrypted and hashed together, 64 KB at a
	// time: between them the goroutine gives way (yieldChunks).
	chunks := (n - 32) / 64
	for done := 0; done < chunks; {
		step := min(chunks-done, yieldChunks)
		igeDecryptSHA256Asm(&c.hw.dec, &plain[32+64*done], &data[32+64*done], step, &iv[0], &st)
		done += step
		if done < chunks {
			runtime.Gosched()
		}
	}
	// The rest (0 to 48 bytes), then the padding (FIPS 180-4 §5.1.1).
	off := 32 + 64*chunks
	if off < n {
		igeDecryptAsm(&c.hw.dec, &plain[off], &data[off], (n-off)/16, &iv[0])
	}
	tail := copy(block[:], plain[off:n])
	clear(block[tail:])
	block[tail] = 0x80
	blocks := 1
	if tail+1 > 56 {
		blocks = 2
	}
	binary.BigEndian.PutUint64(block[64*blocks-8:], uint64(32+n)*8)
	sha256BlocksAsm(&st, &block[0], blocks)
	for i, v := range st {
		binary.BigEndian.PutUint32(sum[4*i:], v)
	}
	return sum, true
}

// yieldChunks is how many 64-byte chunks (64 KB) decryptAndHash does
// between two runtime.Gosched calls. Assembly cannot be preempted, so a
// megabyte decrypted in one call would keep every goroutine queued behind
// it on its P waiting about a millisecond; on a loaded machine that idles
// the pipeline that feeds it (measured: the 100 MB download over loopback
// runs at 0.51 × IGE in median without the yields, 0.53 with them).
const yieldChunks = 1024
