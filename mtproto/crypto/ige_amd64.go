//go:build !purego

package crypto

import "golang.org/x/sys/cpu"

// supportsAES: the assembly needs AES-NI and SSE2 (always present on amd64).
var supportsAES = cpu.X86.HasAES
