package engine

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestLargeRandomBodiesAreNotGzipped(t *testing.T) {
	random := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{9}).Read(random)
	if !incompressible(random) {
		t.Fatal("a random megabyte looks compressible")
	}
	text := bytes.Repeat([]byte("polygram moves files as fast as the crypto allows. "), 20000)
	if incompressible(text) {
		t.Fatal("repeated text looks incompressible")
	}
	if incompressible(random[:1000]) {
		t.Fatal("small bodies are always tried")
	}
}

func TestAnswerCacheStaysWithinItsByteBudget(t *testing.T) {
	c := newAnswerCache(1024)
	part := make([]byte, 1<<20)
	for id := int64(1); id <= 100; id++ {
		c.start(id)
		c.set(id, part)
	}
	if c.bytes > maxAnswerBytes || len(c.answers) != maxAnswerBytes/len(part) {
		t.Fatalf("%d answers, %d bytes", len(c.answers), c.bytes)
	}
	if c.answers[100] == nil || c.answers[1] != nil {
		t.Fatal("the newest answer must stay and the oldest go")
	}
	// A request still executing keeps its slot.
	c.start(101)
	if _, ok := c.answers[101]; !ok {
		t.Fatal("executing request forgotten")
	}
}
