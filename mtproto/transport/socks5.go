package transport

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
)

// SOCKS5 (RFC 1928) with username/password authentication (RFC 1929).
const (
	socksVersion      = 5
	socksNoAuth       = 0x00
	socksUserPass     = 0x02
	socksNoAcceptable = 0xff
	socksConnect      = 0x01
	socksIPv4         = 0x01
	socksDomain       = 0x03
	socksIPv6         = 0x04
)

// SOCKS5Dialer connects through a SOCKS5 proxy with the CONNECT command.
// Host names are sent to the proxy unresolved.
type SOCKS5Dialer struct {
	// Addr is the proxy's host:port.
	Addr string
	// Username and Password enable RFC 1929 authentication when Username is
	// not empty (each at most 255 bytes).
	Username, Password string
	// Forward opens the connection to the proxy. nil means &DirectDialer{}.
	Forward Dialer
}

// DialContext connects to addr through the proxy. network must be "tcp",
// "tcp4" or "tcp6" (the proxy decides the family).
func (d *SOCKS5Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if network != "tcp" && network != "tcp4" && network != "tcp6" {
		return nil, fmt.Errorf("transport: SOCKS5: network %q is not tcp", network)
	}
	req, err := d.connectRequest(addr)
	if err != nil {
		return nil, err
	}
	if len(d.Username) > 255 || len(d.Password) > 255 {
		return nil, errors.New("transport: SOCKS5 username and password are limited to 255 bytes each")
	}
	conn, err := forwardDialer(d.Forward).DialContext(ctx, "tcp", d.Addr)
	if err != nil {
		return nil, fmt.Errorf("transport: connecting to SOCKS5 proxy %s: %w", d.Addr, err)
	}
	if err := withContext(ctx, conn, func() error { return d.handshake(conn, req) }); err != nil {
		conn.Close()
		return nil, fmt.Errorf("transport: SOCKS5 proxy %s, CONNECT %s: %w", d.Addr, addr, err)
	}
	return conn, nil
}

// connectRequest encodes the CONNECT request for addr.
func (d *SOCKS5Dialer) connectRequest(addr string) ([]byte, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("transport: SOCKS5: %w", err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("transport: SOCKS5: bad port %q", portStr)
	}
	req := []byte{socksVersion, socksConnect, 0}
	ip := net.ParseIP(host)
	switch {
	case ip != nil && ip.To4() != nil:
		req = append(append(req, socksIPv4), ip.To4()...)
	case ip != nil:
		req = append(append(req, socksIPv6), ip.To16()...)
	case len(host) == 0 || len(host) > 255:
		return nil, fmt.Errorf("transport: SOCKS5: host name %q must be 1..255 bytes", abbreviate(host))
	default:
		req = append(append(req, socksDomain, byte(len(host))), host...)
	}
	return binary.BigEndian.AppendUint16(req, uint16(port)), nil
}

func (d *SOCKS5Dialer) handshake(rw io.ReadWriter, req []byte) error {
	methods := []byte{socksVersion, 1, socksNoAuth}
	if d.Username != "" {
		methods = []byte{socksVersion, 2, socksNoAuth, socksUserPass}
	}
	if _, err := rw.Write(methods); err != nil {
		return err
	}
	var b [4]byte
	if err := socksRead(rw, b[:2]); err != nil {
		return err
	}
	if b[0] != socksVersion {
		return fmt.Errorf("not a SOCKS5 proxy: it answered version %d", b[0])
	}
	switch b[1] {
	case socksNoAuth:
	case socksUserPass:
		if d.Username == "" {
			return fmt.Errorf("%w: the proxy wants a username and password", ErrSOCKS5NoAcceptableMethod)
		}
		auth := []byte{1, byte(len(d.Username))}
		auth = append(auth, d.Username...)
		auth = append(auth, byte(len(d.Password)))
		auth = append(auth, d.Password...)
		if _, err := rw.Write(auth); err != nil {
			return err
		}
		if err := socksRead(rw, b[:2]); err != nil {
			return err
		}
		if b[1] != 0 {
			return ErrSOCKS5AuthFailed
		}
	case socksNoAcceptable:
		return ErrSOCKS5NoAcceptableMethod
	default:
		return fmt.Errorf("%w: the proxy chose method %#x, which was not offered", ErrSOCKS5NoAcceptableMethod, b[1])
	}

	if _, err := rw.Write(req); err != nil {
		return err
	}
	if err := socksRead(rw, b[:4]); err != nil {
		return err
	}
	if b[0] != socksVersion {
		return fmt.Errorf("malformed SOCKS5 reply: version %d", b[0])
	}
	if b[1] != 0 {
		return &SOCKS5Error{Code: b[1]}
	}
	// Skip the bound address and port.
	var skip int
	switch b[3] {
	case socksIPv4:
		skip = 4 + 2
	case socksIPv6:
		skip = 16 + 2
	case socksDomain:
		if err := socksRead(rw, b[:1]); err != nil {
			return err
		}
		skip = int(b[0]) + 2
	default:
		return fmt.Errorf("malformed SOCKS5 reply: address type %#x", b[3])
	}
	var bound [255 + 2]byte
	return socksRead(rw, bound[:skip])
}

func socksRead(r io.Reader, b []byte) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("reading reply: %w", err)
	}
	return nil
}
