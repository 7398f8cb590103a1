package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/transport"
)

var (
	simpleSecret  = mustSecret("0123456789abcdef0123456789abcdef")
	paddedSecret  = mustSecret("dd" + "00112233445566778899aabbccddeeff")
	fakeTLSSecret = mustSecret("ee" + "ffeeddccbbaa99887766554433221100" + fmt.Sprintf("%x", "www.example.com"))
)

func mustSecret(s string) *transport.Secret {
	sec, err := transport.ParseSecret(s)
	if err != nil {
		panic(err)
	}
	return sec
}

var allKinds = []transport.Kind{transport.Abridged, transport.Intermediate, transport.PaddedIntermediate, transport.Full}

type mode struct {
	name       string
	obfuscated bool
	secret     *transport.Secret
}

var allModes = []mode{
	{name: "plain"},
	{name: "obfuscated2", obfuscated: true},
	{name: "mtproxy-simple", secret: simpleSecret},
	{name: "mtproxy-dd", secret: paddedSecret},
	{name: "mtproxy-ee", secret: fakeTLSSecret},
}

// packetSizes are the sizes a client sends for a framing: boundaries of the
// abridged length byte, the 1 MiB upper end, and odd sizes where allowed.
func packetSizes(kind transport.Kind) []int {
	sizes := []int{4, 504, 508, 1020, 1024, 64 << 10, 1 << 20}
	switch kind {
	case transport.Abridged, transport.Full:
		sizes = append([]int{0}, sizes...)
	}
	if kind == transport.Intermediate || kind == transport.Full {
		// Odd lengths; the padded framing could turn a tiny one into a
		// transport-error look-alike, so it only gets 4-byte multiples.
		sizes = append(sizes, 1, 3, 1021)
	}
	return sizes
}

func serverOptions() transport.ServerOptions {
	return transport.ServerOptions{
		Secrets:     []transport.Secret{*simpleSecret, *paddedSecret, *fakeTLSSecret},
		AllowDirect: true,
	}
}

const ackBase = 0x12340000

// runEchoServer accepts one connection and echoes the client's packets
// (trimming padding with the known sizes), quick-acking those that ask, then
// sends a transport error.
func runEchoServer(srv *transport.Server, conn net.Conn, sizes []int, infoc chan<- transport.Info) error {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, info, err := srv.Accept(conn)
	if err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	infoc <- info
	for i, size := range sizes {
		f, err := c.ReadFrame()
		if err != nil {
			return fmt.Errorf("packet %d: %w", i, err)
		}
		p := f.Payload
		if c.Kind() == transport.PaddedIntermediate {
			if len(p) < size || len(p) > size+15 {
				return fmt.Errorf("packet %d: %d bytes with padding, want %d..%d", i, len(p), size, size+15)
			}
			p = p[:size]
		}
		if !bytes.Equal(p, payload(size)) {
			return fmt.Errorf("packet %d (%d bytes): payload differs", i, size)
		}
		if f.AckRequested != (i%2 == 1 && c.Kind() != transport.Full) {
			return fmt.Errorf("packet %d: AckRequested=%v", i, f.AckRequested)
		}
		if f.AckRequested {
			if err := c.WriteQuickAck(ackBase + uint32(i)); err != nil {
				return err
			}
		}
		// Every other echo gives its packet up: large ones then go out as a
		// gathered write, encrypted in place when obfuscated.
		write := c.WritePacket
		if i%2 == 0 {
			write = c.WritePacketOwned
			p = bytes.Clone(p)
		}
		if err := write(p); err != nil {
			return err
		}
	}
	return c.WriteTransportError(transport.CodeTransportFlood)
}

// runEchoClient sends the sizes and checks every echo, quick ack and the
// final transport error.
func runEchoClient(c *transport.Codec, sizes []int) error {
	for i, size := range sizes {
		p := payload(size)
		ack := i%2 == 1 && c.Kind() != transport.Full
		var err error
		if ack {
			err = c.WritePacketQuickAck(p)
		} else {
			err = c.WritePacket(p)
		}
		if err != nil {
			return fmt.Errorf("write %d: %w", i, err)
		}
		if ack {
			_, err := c.ReadPacket()
			if want := transport.QuickAck(ackBase + uint32(i) | 1<<31); err != want {
				return fmt.Errorf("packet %d: got %v, want quick ack %v", i, err, want)
			}
		}
		got, err := c.ReadPacket()
		if err != nil {
			return fmt.Errorf("echo %d: %w", i, err)
		}
		if c.Kind() == transport.PaddedIntermediate && len(got) >= size && len(got) <= size+15 {
			got = got[:size]
		}
		if !bytes.Equal(got, p) {
			return fmt.Errorf("echo %d: %d bytes differ from the %d sent", i, len(got), size)
		}
	}
	if c.Kind() == transport.Full {
		if err := c.WritePacketQuickAck(nil); !errors.Is(err, transport.ErrQuickAckUnsupported) {
			return fmt.Errorf("full WritePacketQuickAck: %v", err)
		}
	}
	_, err := c.ReadPacket()
	if !errors.Is(err, &transport.TransportError{Code: transport.CodeTransportFlood}) {
		return fmt.Errorf("final read: %v, want transport error -429", err)
	}
	return nil
}

func TestRoundTripMatrix(t *testing.T) {
	srv := transport.NewServer(serverOptions())
	for _, network := range []string{"pipe", "tcp"} {
		for _, m := range allModes {
			for _, kind := range allKinds {
				t.Run(fmt.Sprintf("%s/%s/%s", network, m.name, kind), func(t *testing.T) {
					t.Parallel()
					opts := transport.Options{Kind: kind, Obfuscated: m.obfuscated, Secret: m.secret, DC: -2}
					wantKind := kind
					if m.secret != nil && m.secret.Mode != transport.SecretSimple {
						wantKind = transport.PaddedIntermediate // dd and ee force it
					}
					if kind == transport.Full && wantKind == transport.Full && (m.obfuscated || m.secret != nil) {
						_, err := transport.NewClient(context.Background(), rw{Reader: bytes.NewReader(nil), Writer: io.Discard}, opts)
						if !errors.Is(err, transport.ErrFullNotObfuscated) {
							t.Fatalf("full + obfuscation: %v, want ErrFullNotObfuscated", err)
						}
						return
					}
					sizes := packetSizes(wantKind)
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()

					infoc := make(chan transport.Info, 1)
					errc := make(chan error, 1)
					var client *transport.Codec
					var err error
					if network == "pipe" {
						cc, sc := net.Pipe()
						go func() { errc <- runEchoServer(srv, sc, sizes, infoc) }()
						cc.SetDeadline(time.Now().Add(30 * time.Second))
						client, err = transport.NewClient(ctx, cc, opts)
					} else {
						l, lerr := net.Listen("tcp", "127.0.0.1:0")
						if lerr != nil {
							t.Fatal(lerr)
						}
						defer l.Close()
						go func() {
							sc, err := l.Accept()
							if err != nil {
								errc <- err
								return
							}
							errc <- runEchoServer(srv, sc, sizes, infoc)
						}()
						client, err = transport.Dial(ctx, l.Addr().String(), opts)
					}
					if err != nil {
						t.Fatal(err)
					}
					defer client.Close()
					if client.Kind() != wantKind {
						t.Fatalf("client kind %v, want %v", client.Kind(), wantKind)
					}
					if err := runEchoClient(client, sizes); err != nil {
						t.Error("client:", err)
						client.Close()
					}
					if err := <-errc; err != nil {
						t.Fatal("server:", err)
					}
					info := <-infoc
					obfuscated := m.obfuscated || m.secret != nil
					if info.Kind != wantKind || info.Obfuscated != obfuscated || info.FakeTLS != (m.secret == fakeTLSSecret) {
						t.Fatalf("server info %+v", info)
					}
					if obfuscated && info.DC != -2 {
						t.Fatalf("server saw DC %d, want -2", info.DC)
					}
					if m.secret != nil && (info.Secret == nil || *info.Secret != *m.secret) {
						t.Fatalf("server matched secret %v, want %v", info.Secret, m.secret)
					}
					if m.secret == fakeTLSSecret && info.ServerName != "www.example.com" {
						t.Fatalf("SNI %q", info.ServerName)
					}
				})
			}
		}
	}
}
