package crypto_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"sync"
	"testing"
)

// The shared vector file; see testdata/vectors/README.md for every group.
const vectorsPath = "../../testdata/vectors/mtproto-vectors.json"

type vectorFile struct {
	AESIGE []struct {
		ID              string `json:"id"`
		KeyBits         int    `json:"aes_key_bits"`
		Key             string `json:"key"`
		IV              string `json:"iv"`
		Plaintext       string `json:"plaintext"`
		Ciphertext      string `json:"ciphertext"`
		Length          int    `json:"length"`
		PlaintextSHA256 string `json:"plaintext_sha256"`
		CiphertextCRC32 uint32 `json:"ciphertext_crc32"`
		CiphertextSHA   string `json:"ciphertext_sha256"`
	} `json:"aes_ige"`
	KDF []struct {
		ID                   string `json:"id"`
		X                    int    `json:"x"`
		AuthKey              string `json:"auth_key"`
		PlaintextWithPadding string `json:"plaintext_with_padding"`
		MsgKeyLarge          string `json:"msg_key_large"`
		MsgKey               string `json:"msg_key"`
		AESKey               string `json:"aes_key"`
		AESIV                string `json:"aes_iv"`
		AuthKeyID            string `json:"auth_key_id"`
		EncryptedMessage     string `json:"encrypted_message"`
	} `json:"mtproto2_kdf"`
	Messages []struct {
		ID                   string `json:"id"`
		X                    int    `json:"x"`
		AuthKey              string `json:"auth_key"`
		Plaintext            string `json:"plaintext"`
		Padding              string `json:"padding"`
		PlaintextWithPadding string `json:"plaintext_with_padding"`
		MsgKey               string `json:"msg_key"`
		AESKey               string `json:"aes_key"`
		AESIV                string `json:"aes_iv"`
		AuthKeyID            string `json:"auth_key_id"`
		EncryptedMessage     string `json:"encrypted_message"`
	} `json:"mtproto2_messages"`
	AuthKeyID []struct {
		ID        string `json:"id"`
		AuthKey   string `json:"auth_key"`
		AuthKeyID string `json:"auth_key_id"`
		IDInt64   string `json:"auth_key_id_int64_le"`
		AuxHash   string `json:"aux_hash"`
	} `json:"auth_key_id"`
	NewNonceHash []struct {
		ID       string `json:"id"`
		AuthKey  string `json:"auth_key"`
		NewNonce string `json:"new_nonce"`
		Number   byte   `json:"number"`
		Hash     string `json:"new_nonce_hash"`
	} `json:"new_nonce_hash"`
	TmpAESKeyIV []struct {
		ID          string `json:"id"`
		ServerNonce string `json:"server_nonce"`
		NewNonce    string `json:"new_nonce"`
		Key         string `json:"tmp_aes_key"`
		IV          string `json:"tmp_aes_iv"`
	} `json:"tmp_aes_key_iv"`
	RSAPublicKeys []struct {
		ID             string   `json:"id"`
		Names          []string `json:"names"`
		NHex           string   `json:"n_hex"`
		E              int      `json:"e"`
		Bits           int      `json:"bits"`
		PEM            string   `json:"pem"`
		Fingerprint    string   `json:"fingerprint_int64"`
		FingerprintHex string   `json:"fingerprint_uint64_hex"`
		Verified       bool     `json:"verified"`
	} `json:"rsa_public_keys"`
	RSARaw []struct {
		ID           string `json:"id"`
		Fingerprint  string `json:"key_fingerprint_int64"`
		NHex         string `json:"n_hex"`
		E            int    `json:"e"`
		Input        string `json:"input"`
		Output       string `json:"output"`
		OutputSHA256 string `json:"output_sha256_base64"`
	} `json:"rsa_raw"`
	RSAPad []struct {
		ID                string `json:"id"`
		Fingerprint       string `json:"key_fingerprint_int64"`
		Data              string `json:"data"`
		RandomPadding     string `json:"random_padding_bytes"`
		TempKey           string `json:"temp_key"`
		TempKeyFirstTry   string `json:"temp_key_first_try"`
		FirstTryGEModulus string `json:"key_aes_encrypted_first_try_ge_modulus"`
		KeyAESEncrypted   string `json:"key_aes_encrypted"`
		EncryptedData     string `json:"encrypted_data"`
		TempKeyAttempts   int    `json:"temp_key_attempts"`
	} `json:"rsa_pad"`
	PQ []struct {
		PQ      string          `json:"pq"`
		PQHex   string          `json:"pq_hex"`
		PQBytes string          `json:"pq_tl_bytes_be"`
		P       string          `json:"p"`
		Q       string          `json:"q"`
		PBytes  string          `json:"p_tl_bytes_be"`
		QBytes  string          `json:"q_tl_bytes_be"`
		Source  json.RawMessage `json:"source"`
	} `json:"pq"`
	SRP []struct {
		ID       string `json:"id"`
		Password string `json:"password_hex"`
		Salt1    string `json:"salt1"`
		Salt2    string `json:"salt2"`
		G        int    `json:"g"`
		P        string `json:"p"`
		SRPB     string `json:"srp_B"`
		A        string `json:"a"`
		Expected struct {
			A  string `json:"A"`
			M1 string `json:"M1"`
		} `json:"expected"`
		Intermediate struct {
			V string `json:"v"`
		} `json:"intermediate"`
		PasswordUTF8    string `json:"password_utf8"`
		Salt1FromServer string `json:"salt1_from_server"`
		Random32        string `json:"random_32"`
		NewSalt1        string `json:"new_salt1"`
		NewPasswordHash string `json:"expected_new_password_hash"`
	} `json:"srp"`
	AuthKeyExchange []json.RawMessage `json:"auth_key_exchange"`
	Obfuscated2     struct {
		Vectors []struct {
			ID                    string `json:"id"`
			Init                  string `json:"init"`
			InitAfterTagAndDC     string `json:"init_after_tag_and_dc"`
			FirstFramePlain       string `json:"first_frame_plain"`
			FirstFrameEncrypted   string `json:"first_frame_encrypted"`
			EncryptKey            string `json:"encrypt_key"`
			EncryptIV             string `json:"encrypt_iv"`
			DecryptKey            string `json:"decrypt_key"`
			DecryptIV             string `json:"decrypt_iv"`
			HeaderSent            string `json:"header_sent"`
			FirstPayloadPlain     string `json:"first_payload_plain"`
			FirstPayloadEncrypted string `json:"first_payload_encrypted"`
			DecryptXorAbcd        string `json:"decrypt_stream_xor_abcd_at_offset0"`
		} `json:"vectors"`
	} `json:"obfuscated2"`
}

var loadVectors = sync.OnceValues(func() (*vectorFile, error) {
	raw, err := os.ReadFile(vectorsPath)
	if err != nil {
		return nil, err
	}
	v := new(vectorFile)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, err
	}
	return v, nil
})

func vectors(t testing.TB) *vectorFile {
	t.Helper()
	v, err := loadVectors()
	if err != nil {
		t.Fatalf("loading %s: %v", vectorsPath, err)
	}
	return v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %.20q: %v", s, err)
	}
	return b
}

func hex16(t testing.TB, s string) (out [16]byte) {
	t.Helper()
	b := unhex(t, s)
	if len(b) != len(out) {
		t.Fatalf("hex %.20q is %d bytes, want 16", s, len(b))
	}
	copy(out[:], b)
	return out
}

func hex32(t testing.TB, s string) (out [32]byte) {
	t.Helper()
	b := unhex(t, s)
	if len(b) != len(out) {
		t.Fatalf("hex %.20q is %d bytes, want 32", s, len(b))
	}
	copy(out[:], b)
	return out
}

func atoi64(t testing.TB, s string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func atou64(t testing.TB, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
