//go:build purego || !(amd64 || arm64)

package crypto

// hwIGE is empty: this build has no assembly, IGE always runs over crypto/aes.
type hwIGE struct{}

func (h *hwIGE) setKey([]byte) bool { return false }

func (x *IGE) encryptBlocks(dst, src, iv []byte) { igeEncryptGeneric(x.block, dst, src, iv) }

func (x *IGE) decryptBlocks(dst, src, iv []byte) { igeDecryptGeneric(x.block, dst, src, iv) }

// hardwareIGE reports whether AES-256-IGE runs in assembly: never in this build.
func hardwareIGE() bool { return false }
