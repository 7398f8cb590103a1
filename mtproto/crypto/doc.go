// Package crypto implements the cryptography of MTProto 2.0 for both halves
// of the protocol, client and server (the emulator uses the server half):
//
//   - AES-256-IGE, with AES-NI assembly on amd64, ARMv8 AES assembly on
//     arm64 and a pure-Go fallback (build tag purego, or a CPU without AES
//     instructions). All three produce the same bytes.
//   - the MTProto 2.0 message keys (msg_key, aes_key, aes_iv), auth key ids,
//     new_nonce_hash, the handshake's tmp_aes_key/tmp_aes_iv, padding rules
//     and whole-message encryption and decryption with msg_key checks.
//   - RSA: server public keys and their fingerprints, RSA_PAD (client and
//     server), the legacy SHA1-prefixed RSA, server key generation.
//   - Diffie–Hellman parameter and value checks, PQ factorisation.
//   - SRP for two-factor passwords, both sides.
//   - AES-256-CTR for the obfuscated2 transport.
//
// Randomness is always taken from an io.Reader supplied by the caller, so
// tests can replay recorded exchanges byte for byte; a nil reader means
// crypto/rand.Reader.
//
// Specifications: https://core.telegram.org/mtproto/description,
// https://core.telegram.org/mtproto/auth_key,
// https://core.telegram.org/mtproto/security_guidelines and
// https://core.telegram.org/api/srp.
//
// Dependency: golang.org/x/sys/cpu, to tell whether the CPU has AES
// instructions (the standard library keeps that in an internal package).
package crypto
