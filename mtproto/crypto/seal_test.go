package crypto_test

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/polygram/polygram/mtproto/crypto"
)

// sealFixture makes a message: a 32- or 44-byte head and n body bytes, and
// what EncryptMessage gives for it with the padding seeded by seed.
func sealFixture(t *testing.T, key *crypto.AuthKey, r *rand.Rand, headLen, n int, seed uint64) (head, body, want []byte) {
	t.Helper()
	head = make([]byte, headLen)
	body = make([]byte, n)
	for i := range head {
		head[i] = byte(r.Uint32())
	}
	for i := range body {
		body[i] = byte(r.Uint32())
	}
	binary.LittleEndian.PutUint32(head[28:32], uint32(headLen-32+n))
	want, err := crypto.EncryptMessage(key, crypto.ServerToClient, append(append([]byte{}, head...), body...),
		seededReader{rand.New(rand.NewPCG(seed, 1))})
	if err != nil {
		t.Fatal(err)
	}
	return head, body, want
}

// Messages sealed in a row, each encrypted in steps of any size while the
// next one is hashed in the same loop, come out byte for byte as
// EncryptMessage makes them, whether built from parts or in place, and the
// bodies they were read from are untouched.
func TestSealPipelineMatchesEncryptMessage(t *testing.T) {
	key, _ := crypto.NewAuthKey(bytes.Repeat([]byte{9}, 256))
	r := rand.New(rand.NewPCG(11, 12))
	lengths := []int{0, 4, 12, 16, 28, 32, 60, 64, 124, 1000, 4096, 4100, 65536 + 20, 300000}
	for _, limit := range []int{1, 16, 64, 1000, 65536, 1 << 30} {
		for _, inPlace := range []bool{false, true} {
			var seals []*crypto.Seal
			var wants, bodies, copies [][]byte
			for i, n := range lengths {
				headLen := 32 + 12*(i%2)
				head, body, want := sealFixture(t, key, r, headLen, n, uint64(i))
				var s *crypto.Seal
				var err error
				if inPlace {
					buf := append(make([]byte, 24), head...)
					s, err = crypto.SealInPlace(key, crypto.ServerToClient, append(buf, body...), seededReader{rand.New(rand.NewPCG(uint64(i), 1))})
				} else {
					s, err = crypto.SealParts(key, crypto.ServerToClient, head, body, seededReader{rand.New(rand.NewPCG(uint64(i), 1))})
				}
				if err != nil {
					t.Fatal(err)
				}
				if s.Len() != len(want) {
					t.Fatalf("%d bytes: Len %d, want %d", n, s.Len(), len(want))
				}
				seals, wants, bodies = append(seals, s), append(wants, want), append(bodies, body)
				copies = append(copies, bytes.Clone(body))
			}
			for i, s := range seals {
				var next *crypto.Seal
				if i+1 < len(seals) {
					next = seals[i+1]
				}
				for {
					done, err := s.EncryptStep(next, limit)
					if err != nil {
						t.Fatal(err)
					}
					if done {
						break
					}
				}
				got, err := s.Finish()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, wants[i]) {
					t.Fatalf("limit %d, in place %v, message %d (%d bytes): differs from EncryptMessage", limit, inPlace, i, lengths[i])
				}
				if !bytes.Equal(bodies[i], copies[i]) {
					t.Fatalf("limit %d, message %d: the body was written to", limit, i)
				}
				if _, err := crypto.DecryptMessage(key, crypto.ServerToClient, got); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
		}
	}
}

// A large message's hash is done by the previous message's encryption
// where the CPU allows it: after that encryption, Hash has at most a tail
// left, and the result is still right.
func TestSealHashesTheNextMessageDuringEncryption(t *testing.T) {
	if !crypto.FusedSealing() {
		t.Skip("no fused encryption and hashing on this CPU or build")
	}
	key, _ := crypto.NewAuthKey(bytes.Repeat([]byte{3}, 256))
	r := rand.New(rand.NewPCG(1, 2))
	headA, bodyA, wantA := sealFixture(t, key, r, 44, 1<<20, 1)
	headB, bodyB, wantB := sealFixture(t, key, r, 44, 1<<20, 2)
	a, _ := crypto.SealParts(key, crypto.ServerToClient, headA, bodyA, seededReader{rand.New(rand.NewPCG(1, 1))})
	b, _ := crypto.SealParts(key, crypto.ServerToClient, headB, bodyB, seededReader{rand.New(rand.NewPCG(2, 1))})
	if done, err := a.EncryptStep(b, 1<<30); err != nil || !done {
		t.Fatalf("EncryptStep: done %v, %v", done, err)
	}
	if left := crypto.SealHashLeft(b); left >= 64 {
		t.Fatalf("%d bytes of the next message were left to hash alone", left)
	}
	gotA, _ := a.Finish()
	gotB, _ := b.Finish()
	if !bytes.Equal(gotA, wantA) || !bytes.Equal(gotB, wantB) {
		t.Fatal("the messages differ from EncryptMessage's")
	}
}

func TestSealRefusesBadArguments(t *testing.T) {
	if _, err := crypto.SealParts(nil, crypto.ServerToClient, make([]byte, 32), nil, nil); err == nil {
		t.Fatal("a nil key was taken")
	}
	key, _ := crypto.NewAuthKey(bytes.Repeat([]byte{3}, 256))
	if _, err := crypto.SealInPlace(key, crypto.ServerToClient, make([]byte, 23), nil); err == nil {
		t.Fatal("a buffer without room for auth_key_id and msg_key was taken")
	}
	if _, err := crypto.SealParts(key, crypto.ServerToClient, make([]byte, 32), nil, bytes.NewReader(nil)); err == nil {
		t.Fatal("a padding source with nothing in it was taken")
	}
}

func BenchmarkSealTwo1MiB(b *testing.B) {
	key, _ := crypto.NewAuthKey(bytes.Repeat([]byte{3}, 256))
	head := make([]byte, 44)
	body1, body2 := make([]byte, 1<<20), make([]byte, 1<<20)
	b.Run("one-after-the-other", func(b *testing.B) {
		b.SetBytes(2 << 20)
		for b.Loop() {
			crypto.EncryptMessageParts(key, crypto.ServerToClient, head, body1, nil)
			crypto.EncryptMessageParts(key, crypto.ServerToClient, head, body2, nil)
		}
	})
	b.Run("pipelined", func(b *testing.B) {
		b.SetBytes(2 << 20)
		for b.Loop() {
			s1, _ := crypto.SealParts(key, crypto.ServerToClient, head, body1, nil)
			s2, _ := crypto.SealParts(key, crypto.ServerToClient, head, body2, nil)
			s1.EncryptStep(s2, 1<<30)
			s2.Finish()
		}
	})
}
