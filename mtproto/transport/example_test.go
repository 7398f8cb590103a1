package transport_test

import (
	"context"
	"fmt"
	"net"

	"github.com/polygram/polygram/mtproto/transport"
)

// A client connects through a fake-TLS MTProxy secret; the server detects
// the transport from the first bytes. Over TCP the client would use
// transport.Dial with a Dialer instead of NewClient.
func Example() {
	secret, err := transport.ParseSecret("ee" + "0123456789abcdef0123456789abcdef" + fmt.Sprintf("%x", "example.com"))
	if err != nil {
		panic(err)
	}
	clientConn, serverConn := net.Pipe()
	srv := transport.NewServer(transport.ServerOptions{Secrets: []transport.Secret{*secret}})

	go func() {
		c, info, err := srv.Accept(serverConn)
		if err != nil {
			panic(err)
		}
		fmt.Printf("server: %s, obfuscated=%v, fake-TLS for %s, DC %d\n", info.Kind, info.Obfuscated, info.ServerName, info.DC)
		f, _ := c.ReadFrame()
		c.WriteQuickAck(0x1234)
		c.WritePacket(f.Payload[:8]) // padded intermediate: drop the padding
	}()

	client, err := transport.NewClient(context.Background(), clientConn, transport.Options{Secret: secret, DC: 2})
	if err != nil {
		panic(err)
	}
	client.WritePacketQuickAck([]byte("mtproto!"))
	_, err = client.ReadPacket()
	if ack, ok := err.(transport.QuickAck); ok {
		fmt.Printf("client: quick ack %#x\n", uint32(ack))
	}
	p, _ := client.ReadPacket()
	fmt.Printf("client: %q\n", p[:8])
	// Output:
	// server: padded intermediate, obfuscated=true, fake-TLS for example.com, DC 2
	// client: quick ack 0x80001234
	// client: "mtproto!"
}
