//go:build !purego

#include "textflag.h"

// AES-256-IGE with AES-NI.
//
// IGE is a serial chain, like CBC encryption, so speed is the latency of the
// chain. The chaining XORs are folded into the round keys so that the chain
// from one block to the next is exactly the 14 AES instructions:
//
//   encrypt: c[i] = E(p[i] ^ c[i-1]) ^ p[i-1]
//   state s[i] = p[i] ^ c[i-1] ^ rk0 (the AES state after the first AddRoundKey)
//   s[i+1] = AESENCLAST(rounds(s[i]), rk14 ^ p[i-1] ^ p[i+1] ^ rk0)
//   c[i]   = s[i+1] ^ p[i+1] ^ rk0      (off the chain)
//
// and symmetrically for decryption with the equivalent inverse schedule,
// p[i] = D(c[i] ^ p[i-1]) ^ c[i-1]. Slot 15 of a schedule holds rk0 ^ rk14.
//
// Registers: X0 state, X1 previous block (p[i-1] or c[i-1]), X2 current
// input block, X3 next input block, X4 scratch, X5..X15 round keys 1..11.
// Keys 12 and 13 go through X4 because SSE memory operands must be aligned.

#define LOAD_KEYS(k) \
	MOVOU 16(k), X5;  \
	MOVOU 32(k), X6;  \
	MOVOU 48(k), X7;  \
	MOVOU 64(k), X8;  \
	MOVOU 80(k), X9;  \
	MOVOU 96(k), X10; \
	MOVOU 112(k), X11; \
	MOVOU 128(k), X12; \
	MOVOU 144(k), X13; \
	MOVOU 160(k), X14; \
	MOVOU 176(k), X15

#define ROUNDS(OP, k) \
	OP X5, X0;  \
	OP X6, X0;  \
	OP X7, X0;  \
	OP X8, X0;  \
	OP X9, X0;  \
	OP X10, X0; \
	OP X11, X0; \
	OP X12, X0; \
	OP X13, X0; \
	OP X14, X0; \
	OP X15, X0; \
	MOVOU 192(k), X4; \
	OP X4, X0;  \
	MOVOU 208(k), X4; \
	OP X4, X0

// IGE_CHAIN runs the chain once X0 holds s[0], X1 the block XORed after
// AES for block 0, X2 the first input block, CX the block count.
#define IGE_CHAIN(OP, OPLAST, loop, last) \
	DECQ CX; \
	JZ   last; \
loop: \
	MOVOU 16(SI), X3; \
	PXOR  X3, X1; \
	MOVOU 240(AX), X4; \
	PXOR  X4, X1; \
	ROUNDS(OP, AX); \
	OPLAST X1, X0; \
	MOVOU (AX), X1; \
	PXOR  X3, X1; \
	PXOR  X0, X1; \
	MOVOU X1, (DI); \
	MOVO  X2, X1; \
	MOVO  X3, X2; \
	ADDQ  $16, SI; \
	ADDQ  $16, DI; \
	DECQ  CX; \
	JNZ   loop; \
last: \
	MOVOU 224(AX), X4; \
	PXOR  X4, X1; \
	ROUNDS(OP, AX); \
	OPLAST X1, X0; \
	MOVOU X0, (DI)

// func igeEncryptAsm(xk *[16][16]byte, dst *byte, src *byte, nblocks int, iv *byte)
TEXT ·igeEncryptAsm(SB), NOSPLIT, $0-40
	MOVQ xk+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	MOVQ nblocks+24(FP), CX
	MOVQ iv+32(FP), DX
	LOAD_KEYS(AX)
	MOVOU (SI), X2    // p[0]
	MOVOU (DX), X0    // c[-1] = iv[0:16]
	MOVOU 16(DX), X1  // p[-1] = iv[16:32]
	PXOR  X2, X0
	MOVOU (AX), X4
	PXOR  X4, X0      // s[0]
	IGE_CHAIN(AESENC, AESENCLAST, encloop, enclast)
	RET

// func igeDecryptAsm(xk *[16][16]byte, dst *byte, src *byte, nblocks int, iv *byte)
TEXT ·igeDecryptAsm(SB), NOSPLIT, $0-40
	MOVQ xk+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	MOVQ nblocks+24(FP), CX
	MOVQ iv+32(FP), DX
	LOAD_KEYS(AX)
	MOVOU (SI), X2    // c[0]
	MOVOU 16(DX), X0  // p[-1] = iv[16:32]
	MOVOU (DX), X1    // c[-1] = iv[0:16]
	PXOR  X2, X0
	MOVOU (AX), X4
	PXOR  X4, X0      // s[0]
	IGE_CHAIN(AESDEC, AESDECLAST, decloop, declast)
	RET

// AES-256 key expansion (FIPS-197 §5.2) with AESKEYGENASSIST.
// X1 holds the even round key, X3 the odd one.

// NEXT_EVEN: rk[2j] = prefix-XOR(rk[2j-2]) ^ broadcast(RotWord(SubWord(rk[2j-1].w3)) ^ rcon)
#define NEXT_EVEN(rcon, off) \
	AESKEYGENASSIST rcon, X3, X2; \
	PSHUFD $0xff, X2, X2; \
	MOVO  X1, X4; \
	PSLLO $4, X4; \
	PXOR  X4, X1; \
	PSLLO $4, X4; \
	PXOR  X4, X1; \
	PSLLO $4, X4; \
	PXOR  X4, X1; \
	PXOR  X2, X1; \
	MOVOU X1, off(BX)

// NEXT_ODD: rk[2j+1] = prefix-XOR(rk[2j-1]) ^ broadcast(SubWord(rk[2j].w3))
#define NEXT_ODD(off) \
	AESKEYGENASSIST $0, X1, X2; \
	PSHUFD $0xaa, X2, X2; \
	MOVO  X3, X4; \
	PSLLO $4, X4; \
	PXOR  X4, X3; \
	PSLLO $4, X4; \
	PXOR  X4, X3; \
	PSLLO $4, X4; \
	PXOR  X4, X3; \
	PXOR  X2, X3; \
	MOVOU X3, off(BX)

#define INV(from, to) \
	MOVOU from(BX), X0; \
	AESIMC X0, X0; \
	MOVOU X0, to(CX)

// func expandKeyAsm(key *byte, enc *[16][16]byte, dec *[16][16]byte)
TEXT ·expandKeyAsm(SB), NOSPLIT, $0-24
	MOVQ key+0(FP), AX
	MOVQ enc+8(FP), BX
	MOVQ dec+16(FP), CX
	MOVOU (AX), X1
	MOVOU 16(AX), X3
	MOVOU X1, 0(BX)
	MOVOU X3, 16(BX)
	NEXT_EVEN($0x01, 32)
	NEXT_ODD(48)
	NEXT_EVEN($0x02, 64)
	NEXT_ODD(80)
	NEXT_EVEN($0x04, 96)
	NEXT_ODD(112)
	NEXT_EVEN($0x08, 128)
	NEXT_ODD(144)
	NEXT_EVEN($0x10, 160)
	NEXT_ODD(176)
	NEXT_EVEN($0x20, 192)
	NEXT_ODD(208)
	NEXT_EVEN($0x40, 224)
	// X1 = rk14. Slot 15 = rk0 ^ rk14, in both schedules.
	MOVOU (BX), X0
	MOVOU X1, (CX)      // dec[0] = rk14
	MOVOU X0, 224(CX)   // dec[14] = rk0
	PXOR  X1, X0
	MOVOU X0, 240(BX)
	MOVOU X0, 240(CX)
	INV(208, 16)
	INV(192, 32)
	INV(176, 48)
	INV(160, 64)
	INV(144, 80)
	INV(128, 96)
	INV(112, 112)
	INV(96, 128)
	INV(80, 144)
	INV(64, 160)
	INV(48, 176)
	INV(32, 192)
	INV(16, 208)
	RET
