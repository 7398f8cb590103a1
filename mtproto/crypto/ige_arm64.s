//go:build !purego

#include "textflag.h"

// AES-256-IGE with the ARMv8 AES instructions.
//
// AESE computes SubBytes(ShiftRows(state ^ key)), so the XOR with the first
// round key comes first. The IGE chaining XORs fold into that first key, and
// the chain from one block to the next is exactly 14 AESE and 13 AESMC:
//
//   encrypt: c[i] = E(p[i] ^ c[i-1]) ^ p[i-1]
//   Y[i]     = the state after the 14th AESE of block i (before ^ rk14)
//   c[i]     = Y[i] ^ rk14 ^ p[i-1]                 (off the chain)
//   block i+1 starts with AESE(Y[i], rk14 ^ p[i-1] ^ p[i+1] ^ rk0)
//
// and symmetrically for decryption (AESD/AESIMC, equivalent inverse
// schedule): p[i] = D(c[i] ^ p[i-1]) ^ c[i-1].
//
// Registers: V0 state, V1 previous block, V2 current input block, V3 next
// input block, V4 first-round key of the next block, V5 scratch,
// V16..V30 round keys 0..14.

#define LOAD_KEYS(k) \
	VLD1.P 64(k), [V16.B16, V17.B16, V18.B16, V19.B16]; \
	VLD1.P 64(k), [V20.B16, V21.B16, V22.B16, V23.B16]; \
	VLD1.P 64(k), [V24.B16, V25.B16, V26.B16, V27.B16]; \
	VLD1   (k), [V28.B16, V29.B16, V30.B16]

#define ROUNDS(OP, MIX) \
	OP  V4.B16, V0.B16;  MIX V0.B16, V0.B16; \
	OP  V17.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V18.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V19.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V20.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V21.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V22.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V23.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V24.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V25.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V26.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V27.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V28.B16, V0.B16; MIX V0.B16, V0.B16; \
	OP  V29.B16, V0.B16

// IGE_CHAIN runs once V0 holds block 0's input XORed with the IV half,
// V1 the other IV half, V2 the first input block, R3 the block count.
#define IGE_CHAIN(OP, MIX, loop, last) \
	VORR V16.B16, V16.B16, V4.B16; \
	SUBS $1, R3, R3; \
	BEQ  last; \
loop: \
	VLD1.P 16(R2), [V3.B16]; \
	ROUNDS(OP, MIX); \
	VEOR V1.B16, V30.B16, V5.B16; \
	VEOR V5.B16, V16.B16, V4.B16; \
	VEOR V4.B16, V3.B16, V4.B16; \
	VEOR V0.B16, V5.B16, V5.B16; \
	VST1.P [V5.B16], 16(R1); \
	VORR V2.B16, V2.B16, V1.B16; \
	VORR V3.B16, V3.B16, V2.B16; \
	SUBS $1, R3, R3; \
	BNE  loop; \
last: \
	ROUNDS(OP, MIX); \
	VEOR V1.B16, V30.B16, V5.B16; \
	VEOR V0.B16, V5.B16, V5.B16; \
	VST1 [V5.B16], (R1)

// func igeEncryptAsm(xk *[16][16]byte, dst *byte, src *byte, nblocks int, iv *byte)
TEXT ·igeEncryptAsm(SB), NOSPLIT, $0-40
	MOVD xk+0(FP), R0
	MOVD dst+8(FP), R1
	MOVD src+16(FP), R2
	MOVD nblocks+24(FP), R3
	MOVD iv+32(FP), R4
	LOAD_KEYS(R0)
	VLD1.P 16(R2), [V2.B16]       // p[0]
	VLD1   (R4), [V0.B16, V1.B16] // V0 = c[-1] = iv[0:16], V1 = p[-1] = iv[16:32]
	VEOR   V2.B16, V0.B16, V0.B16
	IGE_CHAIN(AESE, AESMC, encloop, enclast)
	RET

// func igeDecryptAsm(xk *[16][16]byte, dst *byte, src *byte, nblocks int, iv *byte)
TEXT ·igeDecryptAsm(SB), NOSPLIT, $0-40
	MOVD xk+0(FP), R0
	MOVD dst+8(FP), R1
	MOVD src+16(FP), R2
	MOVD nblocks+24(FP), R3
	MOVD iv+32(FP), R4
	LOAD_KEYS(R0)
	VLD1.P 16(R2), [V2.B16]       // c[0]
	VLD1   (R4), [V6.B16, V7.B16] // V6 = c[-1] = iv[0:16], V7 = p[-1] = iv[16:32]
	VORR   V6.B16, V6.B16, V1.B16
	VEOR   V2.B16, V7.B16, V0.B16
	IGE_CHAIN(AESD, AESIMC, decloop, declast)
	RET

// AES-256 key expansion (FIPS-197 §5.2), one 32-bit word at a time.
// SubWord(t) is AESE with a zero key on t broadcast to all four columns:
// ShiftRows then only moves equal bytes, so every lane holds SubWord(t).
// Words are little-endian, so RotWord is a right rotation by 8 bits.

#define SUBWORD(r) \
	VDUP  r, V1.S4; \
	AESE  V0.B16, V1.B16; \
	VMOV  V1.S[0], r

#define XOR_STORE(from, to) \
	MOVWU from(R8), R11; \
	EORW  R11, R9, R9; \
	MOVW  R9, to(R8)

// func expandKeyAsm(key *byte, enc *[16][16]byte, dec *[16][16]byte)
TEXT ·expandKeyAsm(SB), NOSPLIT, $0-24
	MOVD key+0(FP), R0
	MOVD enc+8(FP), R1
	MOVD dec+16(FP), R2
	VLD1 (R0), [V2.B16, V3.B16]
	VST1 [V2.B16, V3.B16], (R1)
	VEOR V0.B16, V0.B16, V0.B16
	MOVW $1, R7        // rcon
	MOVD R1, R8        // R8 points at w[i-8]
	MOVWU 28(R1), R9   // t = w[7]
	MOVD $7, R10

expand:
	RORW $8, R9, R9
	SUBWORD(R9)
	EORW R7, R9, R9
	LSLW $1, R7, R7
	XOR_STORE(0, 32)
	XOR_STORE(4, 36)
	XOR_STORE(8, 40)
	XOR_STORE(12, 44)
	SUBS $1, R10, R10
	BEQ  expanded
	SUBWORD(R9)
	XOR_STORE(16, 48)
	XOR_STORE(20, 52)
	XOR_STORE(24, 56)
	XOR_STORE(28, 60)
	ADD  $32, R8
	B    expand

expanded:
	// Slot 15 = rk0 ^ rk14 in both schedules; dec[0] = rk14, dec[14] = rk0.
	VLD1 (R1), [V2.B16]
	ADD  $224, R1, R12
	VLD1 (R12), [V3.B16]
	VEOR V2.B16, V3.B16, V4.B16
	ADD  $240, R1, R12
	VST1 [V4.B16], (R12)
	ADD  $240, R2, R12
	VST1 [V4.B16], (R12)
	VST1 [V3.B16], (R2)
	ADD  $224, R2, R12
	VST1 [V2.B16], (R12)

	// dec[j] = InvMixColumns(rk[14-j]) for j = 1..13.
	ADD  $208, R1, R13
	ADD  $16, R2, R14
	MOVD $13, R10

invert:
	VLD1   (R13), [V5.B16]
	AESIMC V5.B16, V5.B16
	VST1.P [V5.B16], 16(R14)
	SUB    $16, R13
	SUBS   $1, R10, R10
	BNE    invert
	RET
