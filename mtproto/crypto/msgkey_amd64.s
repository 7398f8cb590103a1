//go:build !purego

#include "textflag.h"

// SHA-256 with the SHA extensions (SHA-NI), and AES-256-IGE decryption with
// the SHA-256 of the plaintext computed in the same loop.
//
// Both IGE and SHA-256 are chains of dependent instructions: one AES round
// or two SHA rounds at a time, each waiting for the one before, while the
// execution units sit mostly idle. They use different units (AES-NI, SHA-NI),
// so when the instructions of both are in flight together the CPU runs one
// chain in the other's gaps: decrypting a file part and hashing it for the
// msg_key check costs little more than decrypting it.
//
// SHA-256 (FIPS 180-4) with SHA256RNDS2/SHA256MSG1/SHA256MSG2 as Intel
// documents them: the state is kept as ABEF and CDGH, the message schedule
// in four registers (W0..W3, four words each), and X0 holds W+K for the two
// rounds SHA256RNDS2 performs.
//
// Registers of the SHA part: X0 W+K, X1 ABEF, X2 CDGH, X3..X6 W0..W3,
// X7 scratch, X8 byte-swap mask, X9 and X10 the state at the block's start.
// The IGE part uses X11..X15 and reads its round keys from memory (VEX
// encodings take unaligned memory operands).

// The round constants K[0..63] (FIPS 180-4 §4.2.2).
DATA sha256K<>+0x00(SB)/4, $0x428a2f98
DATA sha256K<>+0x04(SB)/4, $0x71374491
DATA sha256K<>+0x08(SB)/4, $0xb5c0fbcf
DATA sha256K<>+0x0c(SB)/4, $0xe9b5dba5
DATA sha256K<>+0x10(SB)/4, $0x3956c25b
DATA sha256K<>+0x14(SB)/4, $0x59f111f1
DATA sha256K<>+0x18(SB)/4, $0x923f82a4
DATA sha256K<>+0x1c(SB)/4, $0xab1c5ed5
DATA sha256K<>+0x20(SB)/4, $0xd807aa98
DATA sha256K<>+0x24(SB)/4, $0x12835b01
DATA sha256K<>+0x28(SB)/4, $0x243185be
DATA sha256K<>+0x2c(SB)/4, $0x550c7dc3
DATA sha256K<>+0x30(SB)/4, $0x72be5d74
DATA sha256K<>+0x34(SB)/4, $0x80deb1fe
DATA sha256K<>+0x38(SB)/4, $0x9bdc06a7
DATA sha256K<>+0x3c(SB)/4, $0xc19bf174
DATA sha256K<>+0x40(SB)/4, $0xe49b69c1
DATA sha256K<>+0x44(SB)/4, $0xefbe4786
DATA sha256K<>+0x48(SB)/4, $0x0fc19dc6
DATA sha256K<>+0x4c(SB)/4, $0x240ca1cc
DATA sha256K<>+0x50(SB)/4, $0x2de92c6f
DATA sha256K<>+0x54(SB)/4, $0x4a7484aa
DATA sha256K<>+0x58(SB)/4, $0x5cb0a9dc
DATA sha256K<>+0x5c(SB)/4, $0x76f988da
DATA sha256K<>+0x60(SB)/4, $0x983e5152
DATA sha256K<>+0x64(SB)/4, $0xa831c66d
DATA sha256K<>+0x68(SB)/4, $0xb00327c8
DATA sha256K<>+0x6c(SB)/4, $0xbf597fc7
DATA sha256K<>+0x70(SB)/4, $0xc6e00bf3
DATA sha256K<>+0x74(SB)/4, $0xd5a79147
DATA sha256K<>+0x78(SB)/4, $0x06ca6351
DATA sha256K<>+0x7c(SB)/4, $0x14292967
DATA sha256K<>+0x80(SB)/4, $0x27b70a85
DATA sha256K<>+0x84(SB)/4, $0x2e1b2138
DATA sha256K<>+0x88(SB)/4, $0x4d2c6dfc
DATA sha256K<>+0x8c(SB)/4, $0x53380d13
DATA sha256K<>+0x90(SB)/4, $0x650a7354
DATA sha256K<>+0x94(SB)/4, $0x766a0abb
DATA sha256K<>+0x98(SB)/4, $0x81c2c92e
DATA sha256K<>+0x9c(SB)/4, $0x92722c85
DATA sha256K<>+0xa0(SB)/4, $0xa2bfe8a1
DATA sha256K<>+0xa4(SB)/4, $0xa81a664b
DATA sha256K<>+0xa8(SB)/4, $0xc24b8b70
DATA sha256K<>+0xac(SB)/4, $0xc76c51a3
DATA sha256K<>+0xb0(SB)/4, $0xd192e819
DATA sha256K<>+0xb4(SB)/4, $0xd6990624
DATA sha256K<>+0xb8(SB)/4, $0xf40e3585
DATA sha256K<>+0xbc(SB)/4, $0x106aa070
DATA sha256K<>+0xc0(SB)/4, $0x19a4c116
DATA sha256K<>+0xc4(SB)/4, $0x1e376c08
DATA sha256K<>+0xc8(SB)/4, $0x2748774c
DATA sha256K<>+0xcc(SB)/4, $0x34b0bcb5
DATA sha256K<>+0xd0(SB)/4, $0x391c0cb3
DATA sha256K<>+0xd4(SB)/4, $0x4ed8aa4a
DATA sha256K<>+0xd8(SB)/4, $0x5b9cca4f
DATA sha256K<>+0xdc(SB)/4, $0x682e6ff3
DATA sha256K<>+0xe0(SB)/4, $0x748f82ee
DATA sha256K<>+0xe4(SB)/4, $0x78a5636f
DATA sha256K<>+0xe8(SB)/4, $0x84c87814
DATA sha256K<>+0xec(SB)/4, $0x8cc70208
DATA sha256K<>+0xf0(SB)/4, $0x90befffa
DATA sha256K<>+0xf4(SB)/4, $0xa4506ceb
DATA sha256K<>+0xf8(SB)/4, $0xbef9a3f7
DATA sha256K<>+0xfc(SB)/4, $0xc67178f2
GLOBL sha256K<>(SB), RODATA|NOPTR, $256

// Byte order of each 32-bit word reversed (the message is big-endian).
DATA bswap32<>+0x00(SB)/8, $0x0405060700010203
DATA bswap32<>+0x08(SB)/8, $0x0c0d0e0f08090a0b
GLOBL bswap32<>(SB), RODATA|NOPTR, $16

// LOAD_STATE: X1 = ABEF, X2 = CDGH from h[0..7] at (R).
#define LOAD_STATE(R) \
	MOVOU   (R), X7;           \ // h3 h2 h1 h0 (DCBA, h0 lowest)
	MOVOU   16(R), X2;         \ // HGFE
	PSHUFD  $0xB1, X7, X7;     \ // CDAB
	PSHUFD  $0x1B, X2, X2;     \ // EFGH
	MOVO    X7, X1;            \
	PALIGNR $8, X2, X1;        \ // ABEF
	PBLENDW $0xF0, X7, X2        // CDGH

// STORE_STATE: h[0..7] at (R) from X1 = ABEF, X2 = CDGH.
#define STORE_STATE(R) \
	PSHUFD  $0x1B, X1, X7;     \ // FEBA
	PSHUFD  $0xB1, X2, X2;     \ // DCHG
	MOVO    X7, X1;            \
	PBLENDW $0xF0, X2, X1;     \ // DCBA
	PALIGNR $8, X7, X2;        \ // HGFE
	MOVOU   X1, (R);           \
	MOVOU   X2, 16(R)

// Four rounds on a schedule register: X0 = W + K, two SHA256RNDS2.
#define RNDS4(W, k) \
	VPADDD  sha256K<>+k(SB), W, X0; \
	SHA256RNDS2 X0, X1, X2;         \
	PSHUFD  $0x0E, X0, X0;          \
	SHA256RNDS2 X0, X2, X1

// Four rounds that also finish the next schedule words:
// WN += palignr(W, WP, 4); WN = SHA256MSG2(WN, W).
#define RNDS4_MSG2(W, WP, WN, k) \
	VPADDD  sha256K<>+k(SB), W, X0; \
	SHA256RNDS2 X0, X1, X2;         \
	MOVO    W, X7;                  \
	PALIGNR $4, WP, X7;             \
	PADDD   X7, WN;                 \
	SHA256MSG2 W, WN;               \
	PSHUFD  $0x0E, X0, X0;          \
	SHA256RNDS2 X0, X2, X1

// SHA_BLOCK: one 64-byte block at (R) into the state in X1, X2, in four
// parts of 16 rounds, so that the fused loop can interleave them with AES.
#define SHA_PART_A(R) \
	MOVO    X1, X9;                         \
	MOVO    X2, X10;                        \
	MOVOU   0(R), X3;                       \
	PSHUFB  X8, X3;                         \
	RNDS4(X3, 0x00);                        \
	MOVOU   16(R), X4;                      \
	PSHUFB  X8, X4;                         \
	RNDS4(X4, 0x10);                        \
	SHA256MSG1 X4, X3;                      \
	MOVOU   32(R), X5;                      \
	PSHUFB  X8, X5;                         \
	RNDS4(X5, 0x20);                        \
	SHA256MSG1 X5, X4;                      \
	MOVOU   48(R), X6;                      \
	PSHUFB  X8, X6;                         \
	RNDS4_MSG2(X6, X5, X3, 0x30);           \
	SHA256MSG1 X6, X5

// SHA_PART_MID: sixteen rounds (four groups from K offset k) in the middle
// of the block, each finishing the schedule words of a later group. The
// schedule registers rotate every group and come back after four, so the
// second and third parts are the same code at different K offsets.
#define SHA_PART_MID(k0, k1, k2, k3) \
	RNDS4_MSG2(X3, X6, X4, k0);             \
	SHA256MSG1 X3, X6;                      \
	RNDS4_MSG2(X4, X3, X5, k1);             \
	SHA256MSG1 X4, X3;                      \
	RNDS4_MSG2(X5, X4, X6, k2);             \
	SHA256MSG1 X5, X4;                      \
	RNDS4_MSG2(X6, X5, X3, k3);             \
	SHA256MSG1 X6, X5

#define SHA_PART_B SHA_PART_MID(0x40, 0x50, 0x60, 0x70)
#define SHA_PART_C SHA_PART_MID(0x80, 0x90, 0xa0, 0xb0)

#define SHA_PART_D \
	RNDS4_MSG2(X3, X6, X4, 0xc0);           \
	SHA256MSG1 X3, X6;                      \
	RNDS4_MSG2(X4, X3, X5, 0xd0);           \
	RNDS4_MSG2(X5, X4, X6, 0xe0);           \
	RNDS4(X6, 0xf0);                        \
	PADDD   X9, X1;                         \
	PADDD   X10, X2

#define SHA_BLOCK(R) \
	SHA_PART_A(R); \
	SHA_PART_B;    \
	SHA_PART_C;    \
	SHA_PART_D

// func sha256BlocksAsm(state *[8]uint32, p *byte, nblocks int)
TEXT ·sha256BlocksAsm(SB), NOSPLIT, $0-24
	MOVQ state+0(FP), DX
	MOVQ p+8(FP), SI
	MOVQ nblocks+16(FP), CX
	TESTQ CX, CX
	JZ   shadone
	VZEROUPPER
	MOVOU bswap32<>(SB), X8
	LOAD_STATE(DX)
shaloop:
	SHA_BLOCK(SI)
	ADDQ $64, SI
	DECQ CX
	JNZ  shaloop
	STORE_STATE(DX)
shadone:
	RET

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xmmStateEnabled() bool
TEXT ·xmmStateEnabled(SB), NOSPLIT, $0-1
	MOVL $0, CX
	XGETBV
	ANDL $6, AX
	CMPL AX, $6
	SETEQ ret+0(FP)
	RET

// IGE_DEC_BLOCK decrypts the block at off(SI) to off(DI):
// p[i] = D(c[i] ^ p[i-1]) ^ c[i-1], with X12 = p[i-1], X15 = c[i-1] on
// entry and exit. Off the chain: c[i] ^ dk0, and dk14 ^ c[i-1] as the last
// round key; on it: one XOR and the 14 rounds. AX: decryption schedule.
#define IGE_DEC_BLOCK(off) \
	MOVOU   off(SI), X13;          \
	VPXOR   (AX), X13, X14;        \
	VPXOR   224(AX), X15, X11;     \
	PXOR    X12, X14;              \
	VAESDEC 16(AX), X14, X14;      \
	VAESDEC 32(AX), X14, X14;      \
	VAESDEC 48(AX), X14, X14;      \
	VAESDEC 64(AX), X14, X14;      \
	VAESDEC 80(AX), X14, X14;      \
	VAESDEC 96(AX), X14, X14;      \
	VAESDEC 112(AX), X14, X14;     \
	VAESDEC 128(AX), X14, X14;     \
	VAESDEC 144(AX), X14, X14;     \
	VAESDEC 160(AX), X14, X14;     \
	VAESDEC 176(AX), X14, X14;     \
	VAESDEC 192(AX), X14, X14;     \
	VAESDEC 208(AX), X14, X14;     \
	VAESDECLAST X11, X14, X12;     \
	MOVOU   X12, off(DI);          \
	MOVO    X13, X15

// func igeDecryptSHA256Asm(dk *[16][16]byte, dst, src *byte, nchunks int, iv *byte, state *[8]uint32)
//
// Decrypts nchunks 64-byte chunks (dst may equal src) and feeds each
// decrypted chunk to SHA-256 as one block. iv holds c[-1] ‖ p[-1] and is
// updated for a continuation.
TEXT ·igeDecryptSHA256Asm(SB), NOSPLIT, $0-48
	MOVQ dk+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	MOVQ nchunks+24(FP), CX
	MOVQ iv+32(FP), BX
	MOVQ state+40(FP), DX
	TESTQ CX, CX
	JZ   fuseddone
	VZEROUPPER
	MOVOU bswap32<>(SB), X8
	LOAD_STATE(DX)
	MOVOU (BX), X15
	MOVOU 16(BX), X12
	// Chunk 0 alone; then chunk k decrypted while chunk k-1 is hashed,
	// a quarter of the hash after each AES block; then the last hash.
	IGE_DEC_BLOCK(0)
	IGE_DEC_BLOCK(16)
	IGE_DEC_BLOCK(32)
	IGE_DEC_BLOCK(48)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JZ   fusedlast
fusedloop:
	LEAQ -64(DI), R8
	IGE_DEC_BLOCK(0)
	SHA_PART_A(R8)
	IGE_DEC_BLOCK(16)
	SHA_PART_B
	IGE_DEC_BLOCK(32)
	SHA_PART_C
	IGE_DEC_BLOCK(48)
	SHA_PART_D
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  fusedloop
fusedlast:
	LEAQ -64(DI), R8
	SHA_BLOCK(R8)
	STORE_STATE(DX)
	MOVOU X15, (BX)
	MOVOU X12, 16(BX)
fuseddone:
	RET

// IGE_ENC_BLOCK encrypts the block at off(SI) to off(DI):
// c[i] = E(p[i] ^ c[i-1]) ^ p[i-1], with X15 = c[i-1], X12 = p[i-1] on
// entry and exit. Off the chain: p[i] ^ ek0, and ek14 ^ p[i-1] as the last
// round key; on it: one XOR and the 14 rounds. AX: encryption schedule.
#define IGE_ENC_BLOCK(off) \
	MOVOU   off(SI), X13;          \
	VPXOR   (AX), X13, X14;        \
	VPXOR   224(AX), X12, X11;     \
	PXOR    X15, X14;              \
	VAESENC 16(AX), X14, X14;      \
	VAESENC 32(AX), X14, X14;      \
	VAESENC 48(AX), X14, X14;      \
	VAESENC 64(AX), X14, X14;      \
	VAESENC 80(AX), X14, X14;      \
	VAESENC 96(AX), X14, X14;      \
	VAESENC 112(AX), X14, X14;     \
	VAESENC 128(AX), X14, X14;     \
	VAESENC 144(AX), X14, X14;     \
	VAESENC 160(AX), X14, X14;     \
	VAESENC 176(AX), X14, X14;     \
	VAESENC 192(AX), X14, X14;     \
	VAESENC 208(AX), X14, X14;     \
	VAESENCLAST X11, X14, X15;     \
	MOVOU   X15, off(DI);          \
	MOVO    X13, X12

// func igeEncryptSHA256Asm(ek *[16][16]byte, dst, src *byte, nchunks int, iv *byte, state *[8]uint32, hsrc *byte)
//
// Encrypts nchunks 64-byte chunks from src to dst (which may equal src)
// while it hashes nchunks 64-byte blocks at hsrc, which belong to another
// message: a message's encryption needs its own msg_key, the hash of all of
// it, first, so only the hash of the next message can run in the gaps of
// this one's encryption. iv holds c[-1] ‖ p[-1] and is updated for a
// continuation; state is updated. hsrc must not overlap dst.
TEXT ·igeEncryptSHA256Asm(SB), NOSPLIT, $0-56
	MOVQ ek+0(FP), AX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	MOVQ nchunks+24(FP), CX
	MOVQ iv+32(FP), BX
	MOVQ state+40(FP), DX
	MOVQ hsrc+48(FP), R8
	TESTQ CX, CX
	JZ   encfuseddone
	VZEROUPPER
	MOVOU bswap32<>(SB), X8
	LOAD_STATE(DX)
	MOVOU (BX), X15
	MOVOU 16(BX), X12
encfusedloop:
	IGE_ENC_BLOCK(0)
	SHA_PART_A(R8)
	IGE_ENC_BLOCK(16)
	SHA_PART_B
	IGE_ENC_BLOCK(32)
	SHA_PART_C
	IGE_ENC_BLOCK(48)
	SHA_PART_D
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	DECQ CX
	JNZ  encfusedloop
	STORE_STATE(DX)
	MOVOU X15, (BX)
	MOVOU X12, 16(BX)
encfuseddone:
	RET
