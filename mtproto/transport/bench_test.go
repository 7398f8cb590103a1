package transport_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/polygram/polygram/mtproto/transport"
)

// loopBuffer is an in-memory stream: what is written is read back.
type loopBuffer struct{ bytes.Buffer }

// BenchmarkFramingRoundTrip measures one client WritePacket plus one server
// ReadPacket per iteration, in memory, for each framing, plain and
// obfuscated2.
func BenchmarkFramingRoundTrip(b *testing.B) {
	for _, kind := range allKinds {
		for _, obfuscated := range []bool{false, true} {
			if obfuscated && kind == transport.Full {
				continue
			}
			for _, size := range []int{1 << 10, 64 << 10} {
				name := fmt.Sprintf("%s/obfuscated=%v/%dKiB", kind, obfuscated, size>>10)
				b.Run(name, func(b *testing.B) {
					var buf loopBuffer
					client, err := transport.NewClient(context.Background(), &buf, transport.Options{Kind: kind, Obfuscated: obfuscated})
					if err != nil {
						b.Fatal(err)
					}
					p := payload(size)
					if err := client.WritePacket(p); err != nil {
						b.Fatal(err)
					}
					server, _, err := transport.Accept(&buf, transport.ServerOptions{})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := server.ReadPacket(); err != nil {
						b.Fatal(err)
					}
					b.SetBytes(int64(size))
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						if err := client.WritePacket(p); err != nil {
							b.Fatal(err)
						}
						if _, err := server.ReadPacket(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// The write path allocates nothing per packet once its buffer has grown.
func TestSteadyStateWritesDoNotAllocate(t *testing.T) {
	for _, kind := range allKinds {
		c, _ := transport.NewCodec(rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, kind, transport.RoleClient, transport.CodecOptions{})
		p := payload(4096)
		c.WritePacket(p)
		if n := testing.AllocsPerRun(100, func() { c.WritePacket(p) }); n != 0 {
			t.Errorf("%v: %v allocations per WritePacket", kind, n)
		}
	}
}

// The read path allocates nothing per packet once its buffer has grown.
func TestSteadyStateReadsDoNotAllocate(t *testing.T) {
	for _, kind := range allKinds {
		var buf loopBuffer
		client, _ := transport.NewCodec(&buf, kind, transport.RoleClient, transport.CodecOptions{})
		p := payload(4096)
		client.WritePacket(p)
		server, _, err := transport.Accept(&buf, transport.ServerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		server.ReadPacket()
		if n := testing.AllocsPerRun(100, func() {
			client.WritePacket(p)
			if _, err := server.ReadPacket(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations per packet round trip", kind, n)
		}
	}
}
