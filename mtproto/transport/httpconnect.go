package transport

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
)

// maxConnectResponse bounds the proxy's answer to CONNECT (status line and
// headers), so a hostile proxy cannot make the dialer buffer without end.
const maxConnectResponse = 64 << 10

// HTTPConnectDialer connects through an HTTP proxy with the CONNECT method
// (RFC 9110 §9.3.6).
type HTTPConnectDialer struct {
	// Addr is the proxy's host:port.
	Addr string
	// Username and Password are sent as Basic Proxy-Authorization when
	// Username is not empty.
	Username, Password string
	// Header holds extra request headers (for example User-Agent); an
	// http.Header may be given.
	Header map[string][]string
	// Forward opens the connection to the proxy. nil means &DirectDialer{}.
	Forward Dialer
}

// DialContext connects to addr through the proxy; any 2xx answer opens the
// tunnel, anything else is an *HTTPProxyError.
func (d *HTTPConnectDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if network != "tcp" && network != "tcp4" && network != "tcp6" {
		return nil, fmt.Errorf("transport: HTTP CONNECT: network %q is not tcp", network)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("transport: HTTP CONNECT: %w", err)
	}
	if strings.ContainsAny(addr, "\r\n ") {
		return nil, fmt.Errorf("transport: HTTP CONNECT: address %q contains spaces or line breaks", addr)
	}
	conn, err := forwardDialer(d.Forward).DialContext(ctx, "tcp", d.Addr)
	if err != nil {
		return nil, fmt.Errorf("transport: connecting to HTTP proxy %s: %w", d.Addr, err)
	}
	var tunnel net.Conn
	err = withContext(ctx, conn, func() error {
		var err error
		tunnel, err = d.handshake(conn, addr)
		return err
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("transport: HTTP proxy %s, CONNECT %s: %w", d.Addr, addr, err)
	}
	return tunnel, nil
}

func (d *HTTPConnectDialer) handshake(conn net.Conn, addr string) (net.Conn, error) {
	var req strings.Builder
	fmt.Fprintf(&req, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n", addr, addr)
	if d.Username != "" {
		cred := base64.StdEncoding.EncodeToString([]byte(d.Username + ":" + d.Password))
		fmt.Fprintf(&req, "Proxy-Authorization: Basic %s\r\n", cred)
	}
	for k, vs := range d.Header {
		for _, v := range vs {
			if strings.ContainsAny(k+v, "\r\n") {
				return nil, fmt.Errorf("transport: HTTP CONNECT: header %q contains a line break", k)
			}
			fmt.Fprintf(&req, "%s: %s\r\n", k, v)
		}
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		return nil, err
	}

	lr := &io.LimitedReader{R: conn, N: maxConnectResponse}
	br := bufio.NewReader(lr)
	status, code, err := readConnectResponse(br)
	if err != nil {
		if lr.N == 0 {
			return nil, fmt.Errorf("the proxy's answer exceeds %d bytes", maxConnectResponse)
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("reading the proxy's answer: %w", err)
	}
	if code < 200 || code > 299 {
		return nil, &HTTPProxyError{StatusCode: code, Status: status}
	}
	if br.Buffered() == 0 {
		return conn, nil
	}
	return &bufferedConn{Conn: conn, r: br}, nil
}

// readConnectResponse reads the status line and headers of the answer to
// CONNECT (a 2xx answer to CONNECT has no body: RFC 9110 §9.3.6). It returns
// the status without the protocol ("200 Connection established") and its
// code. net/textproto is enough for this; net/http would add megabytes to the
// shared library.
func readConnectResponse(br *bufio.Reader) (string, int, error) {
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		return "", 0, err
	}
	proto, status, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/1.") {
		return "", 0, fmt.Errorf("malformed status line %q", line)
	}
	status = strings.TrimLeft(status, " ")
	codeText, _, _ := strings.Cut(status, " ")
	code, err := strconv.Atoi(codeText)
	if err != nil || len(codeText) != 3 {
		return "", 0, fmt.Errorf("malformed status code in %q", line)
	}
	if _, err := tp.ReadMIMEHeader(); err != nil {
		return "", 0, err
	}
	return status, code, nil
}

// bufferedConn hands out the bytes the response reader over-read before
// reading the connection again.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) {
	if n := c.r.Buffered(); n > 0 {
		return c.r.Read(p[:min(len(p), n)])
	}
	return c.Conn.Read(p)
}
