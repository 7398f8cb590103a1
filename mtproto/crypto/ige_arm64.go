//go:build !purego

package crypto

import "golang.org/x/sys/cpu"

// supportsAES: the assembly needs the ARMv8 Cryptographic Extension AES
// instructions (AESE, AESD, AESMC, AESIMC).
var supportsAES = cpu.ARM64.HasAES
