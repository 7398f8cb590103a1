package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/polygram/polygram/mtproto/transport"
)

// Every server here listens on loopback only, on ephemeral ports.

func listenLoopback(t *testing.T, network string) net.Listener {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "tcp6" {
		if !ipv6Loopback() {
			t.Skip("no IPv6 loopback on this machine")
		}
		addr = "[::1]:0"
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// startEcho runs a TCP echo server and returns its address.
func startEcho(t *testing.T, network string) string {
	l := listenLoopback(t, network)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return l.Addr().String()
}

func checkEcho(t *testing.T, c net.Conn) {
	t.Helper()
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	msg := []byte("hello through the tunnel")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo %q", got)
	}
}

func relay(a, b net.Conn, aBuffered io.Reader) {
	go func() {
		io.Copy(b, aBuffered)
		b.Close()
	}()
	io.Copy(a, b)
	a.Close()
}

// --- SOCKS5 test server ---

type socksServer struct {
	user, pass string            // require RFC 1929 auth when user != ""
	reply      byte              // forced failure reply code, 0 for success
	domains    map[string]string // domain → loopback host:port base (only loopback)
	boundType  byte              // address type of the bound address in replies

	mu     sync.Mutex
	seenTy []byte
}

func (s *socksServer) start(t *testing.T) string {
	l := listenLoopback(t, "tcp4")
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return l.Addr().String()
}

func (s *socksServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var b [262]byte
	if _, err := io.ReadFull(c, b[:2]); err != nil || b[0] != 5 {
		return
	}
	methods := b[2 : 2+int(b[1])]
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	want := byte(0)
	if s.user != "" {
		want = 2
	}
	if !bytes.Contains(methods, []byte{want}) {
		c.Write([]byte{5, 0xff})
		return
	}
	c.Write([]byte{5, want})
	if want == 2 {
		io.ReadFull(c, b[:2])
		user := make([]byte, b[1])
		io.ReadFull(c, user)
		io.ReadFull(c, b[:1])
		pass := make([]byte, b[0])
		io.ReadFull(c, pass)
		if string(user) != s.user || string(pass) != s.pass {
			c.Write([]byte{1, 1})
			return
		}
		c.Write([]byte{1, 0})
	}
	if _, err := io.ReadFull(c, b[:4]); err != nil || b[1] != 1 {
		return
	}
	var host string
	atyp := b[3]
	switch atyp {
	case 1:
		io.ReadFull(c, b[:4])
		host = net.IP(b[:4]).String()
	case 4:
		io.ReadFull(c, b[:16])
		host = net.IP(b[:16]).String()
	case 3:
		io.ReadFull(c, b[:1])
		name := make([]byte, b[0])
		io.ReadFull(c, name)
		host = s.domains[string(name)]
	}
	s.mu.Lock()
	s.seenTy = append(s.seenTy, atyp)
	s.mu.Unlock()
	io.ReadFull(c, b[:2])
	port := binary.BigEndian.Uint16(b[:2])
	fail := func(code byte) { c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0}) }
	if s.reply != 0 {
		fail(s.reply)
		return
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		fail(4) // host unreachable: never leave loopback
		return
	}
	target, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
	if err != nil {
		fail(5)
		return
	}
	reply := []byte{5, 0, 0}
	switch s.boundType {
	case 4:
		reply = append(append(reply, 4), net.IPv6loopback...)
	case 3:
		reply = append(reply, 3, 13)
		reply = append(reply, "bound.example"...)
	default:
		reply = append(reply, 1, 127, 0, 0, 1)
	}
	c.Write(append(reply, 0x12, 0x34))
	c.SetDeadline(time.Time{})
	relay(c, target, c)
}

func (s *socksServer) types() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.seenTy)
}

func TestSOCKS5Dialer(t *testing.T) {
	echo4 := startEcho(t, "tcp4")
	_, port4, _ := net.SplitHostPort(echo4)
	ctx := context.Background()

	t.Run("no-auth/ipv4", func(t *testing.T) {
		srv := &socksServer{}
		d := &transport.SOCKS5Dialer{Addr: srv.start(t)}
		c, err := d.DialContext(ctx, "tcp", echo4)
		if err != nil {
			t.Fatal(err)
		}
		checkEcho(t, c)
		if ty := srv.types(); !bytes.Equal(ty, []byte{1}) {
			t.Fatalf("address types %v", ty)
		}
	})
	t.Run("no-auth/ipv6", func(t *testing.T) {
		echo6 := startEcho(t, "tcp6")
		srv := &socksServer{boundType: 4}
		d := &transport.SOCKS5Dialer{Addr: srv.start(t)}
		c, err := d.DialContext(ctx, "tcp", echo6)
		if err != nil {
			t.Fatal(err)
		}
		checkEcho(t, c)
		if ty := srv.types(); !bytes.Equal(ty, []byte{4}) {
			t.Fatalf("address types %v", ty)
		}
	})
	t.Run("no-auth/domain", func(t *testing.T) {
		srv := &socksServer{domains: map[string]string{"dc2.mtproto.test": "127.0.0.1"}, boundType: 3}
		d := &transport.SOCKS5Dialer{Addr: srv.start(t)}
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("dc2.mtproto.test", port4))
		if err != nil {
			t.Fatal(err)
		}
		checkEcho(t, c)
		if ty := srv.types(); !bytes.Equal(ty, []byte{3}) {
			t.Fatalf("address types %v (the host name must reach the proxy unresolved)", ty)
		}
	})
	t.Run("user-pass", func(t *testing.T) {
		srv := &socksServer{user: "alice", pass: "s3cret"}
		addr := srv.start(t)
		c, err := (&transport.SOCKS5Dialer{Addr: addr, Username: "alice", Password: "s3cret"}).DialContext(ctx, "tcp", echo4)
		if err != nil {
			t.Fatal(err)
		}
		checkEcho(t, c)
		_, err = (&transport.SOCKS5Dialer{Addr: addr, Username: "alice", Password: "wrong"}).DialContext(ctx, "tcp", echo4)
		if !errors.Is(err, transport.ErrSOCKS5AuthFailed) {
			t.Fatalf("wrong password: %v", err)
		}
		_, err = (&transport.SOCKS5Dialer{Addr: addr}).DialContext(ctx, "tcp", echo4)
		if !errors.Is(err, transport.ErrSOCKS5NoAcceptableMethod) {
			t.Fatalf("no credentials: %v", err)
		}
	})
	t.Run("reply-codes", func(t *testing.T) {
		for code := byte(1); code <= 9; code++ {
			srv := &socksServer{reply: code}
			_, err := (&transport.SOCKS5Dialer{Addr: srv.start(t)}).DialContext(ctx, "tcp", echo4)
			var se *transport.SOCKS5Error
			if !errors.As(err, &se) || se.Code != code {
				t.Fatalf("code %d: %v", code, err)
			}
		}
		// A real refusal from the proxy's side: nothing listens there.
		l := listenLoopback(t, "tcp4")
		closed := l.Addr().String()
		l.Close()
		_, err := (&transport.SOCKS5Dialer{Addr: (&socksServer{}).start(t)}).DialContext(ctx, "tcp", closed)
		if !errors.Is(err, &transport.SOCKS5Error{Code: 5}) && !isSOCKSCode(err, 5) {
			t.Fatalf("closed port: %v", err)
		}
	})
	t.Run("bad-arguments", func(t *testing.T) {
		d := &transport.SOCKS5Dialer{Addr: "127.0.0.1:1"}
		for _, addr := range []string{"no-port", "h:99999", string(bytes.Repeat([]byte("a"), 256)) + ":1"} {
			if _, err := d.DialContext(ctx, "tcp", addr); err == nil {
				t.Errorf("%q accepted", addr)
			}
		}
		if _, err := d.DialContext(ctx, "udp", echo4); err == nil {
			t.Error("udp accepted")
		}
	})
}

func isSOCKSCode(err error, code byte) bool {
	var se *transport.SOCKS5Error
	return errors.As(err, &se) && se.Code == code
}

// --- HTTP CONNECT test proxy ---

type httpProxy struct {
	user, pass string
	status     int    // forced status, 0 for normal operation
	early      []byte // bytes sent right after the 200 answer
}

func (p *httpProxy) start(t *testing.T) string {
	l := listenLoopback(t, "tcp4")
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return l.Addr().String()
}

func (p *httpProxy) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		fmt.Fprint(c, "HTTP/1.1 405 Method Not Allowed\r\n\r\n")
		return
	}
	if p.user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass))
		if req.Header.Get("Proxy-Authorization") != want {
			fmt.Fprint(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\nContent-Length: 0\r\n\r\n")
			return
		}
	}
	if p.status != 0 {
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", p.status, http.StatusText(p.status))
		return
	}
	host, _, _ := net.SplitHostPort(req.Host)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprint(c, "HTTP/1.1 403 Forbidden\r\n\r\n")
		return
	}
	target, err := net.Dial("tcp", req.Host)
	if err != nil {
		fmt.Fprint(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	fmt.Fprint(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	c.Write(p.early)
	c.SetDeadline(time.Time{})
	relay(c, target, br)
}

func TestHTTPConnectDialer(t *testing.T) {
	echo := startEcho(t, "tcp4")
	ctx := context.Background()

	t.Run("plain", func(t *testing.T) {
		c, err := (&transport.HTTPConnectDialer{Addr: (&httpProxy{}).start(t)}).DialContext(ctx, "tcp", echo)
		if err != nil {
			t.Fatal(err)
		}
		checkEcho(t, c)
	})
	t.Run("ipv6-target", func(t *testing.T) {
		echo6 := startEcho(t, "tcp6")
		c, err := (&transport.HTTPConnectDialer{Addr: (&httpProxy{}).start(t)}).DialContext(ctx, "tcp", echo6)
		if err != nil {
			t.Fatal(err)
		}
		checkEcho(t, c)
	})
	t.Run("basic-auth", func(t *testing.T) {
		addr := (&httpProxy{user: "bob", pass: "pw"}).start(t)
		c, err := (&transport.HTTPConnectDialer{Addr: addr, Username: "bob", Password: "pw",
			Header: http.Header{"User-Agent": {"polygram-test"}}}).DialContext(ctx, "tcp", echo)
		if err != nil {
			t.Fatal(err)
		}
		checkEcho(t, c)
		_, err = (&transport.HTTPConnectDialer{Addr: addr}).DialContext(ctx, "tcp", echo)
		var he *transport.HTTPProxyError
		if !errors.As(err, &he) || he.StatusCode != 407 {
			t.Fatalf("no credentials: %v", err)
		}
		t.Log(err)
	})
	t.Run("refused", func(t *testing.T) {
		_, err := (&transport.HTTPConnectDialer{Addr: (&httpProxy{status: 403}).start(t)}).DialContext(ctx, "tcp", echo)
		var he *transport.HTTPProxyError
		if !errors.As(err, &he) || he.StatusCode != 403 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("early-bytes-are-kept", func(t *testing.T) {
		c, err := (&transport.HTTPConnectDialer{Addr: (&httpProxy{early: []byte("EARLY")}).start(t)}).DialContext(ctx, "tcp", echo)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		got := make([]byte, 5)
		if _, err := io.ReadFull(c, got); err != nil || string(got) != "EARLY" {
			t.Fatalf("got %q, %v", got, err)
		}
		checkEcho(t, c)
	})
	t.Run("garbage-answer", func(t *testing.T) {
		l := listenLoopback(t, "tcp4")
		go func() {
			c, err := l.Accept()
			if err == nil {
				io.ReadFull(c, make([]byte, 10))
				c.Write([]byte("SSH-2.0-OpenSSH\r\n"))
				c.Close()
			}
		}()
		if _, err := (&transport.HTTPConnectDialer{Addr: l.Addr().String()}).DialContext(ctx, "tcp", echo); err == nil {
			t.Fatal("garbage accepted")
		}
	})
	t.Run("context", func(t *testing.T) {
		l := listenLoopback(t, "tcp4")
		go func() {
			c, err := l.Accept()
			if err == nil {
				defer c.Close()
				io.Copy(io.Discard, c) // never answer
			}
		}()
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := (&transport.HTTPConnectDialer{Addr: l.Addr().String()}).DialContext(ctx, "tcp", echo)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
	})
}

// --- direct dialing ---

type fakeResolver map[string][]net.IPAddr

func (r fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	if a, ok := r[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// dualListeners listens on 127.0.0.1 and [::1] with the same port and
// reports which family each accepted connection came in on.
func dualListeners(t *testing.T) (port string, families chan string, v6 net.Listener) {
	if !ipv6Loopback() {
		t.Skip("no IPv6 loopback on this machine")
	}
	families = make(chan string, 8)
	for range 20 {
		l4, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ = net.SplitHostPort(l4.Addr().String())
		l6, err := net.Listen("tcp6", "[::1]:"+port)
		if err != nil {
			l4.Close()
			continue
		}
		for fam, l := range map[string]net.Listener{"ipv4": l4, "ipv6": l6} {
			t.Cleanup(func() { l.Close() })
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					families <- fam
					c.Close()
				}
			}()
		}
		return port, families, l6
	}
	t.Skip("could not find a port free on both loopbacks")
	return
}

func TestDirectDialerHonoursPreference(t *testing.T) {
	port, families, l6 := dualListeners(t)
	both := fakeResolver{"dc.test": {{IP: net.IPv6loopback}, {IP: net.IPv4(127, 0, 0, 1)}}}
	v4only := fakeResolver{"dc.test": {{IP: net.IPv4(127, 0, 0, 1)}}}
	ctx := context.Background()
	dial := func(pref transport.IPPreference, r transport.Resolver, network string) (string, error) {
		d := &transport.DirectDialer{Preference: pref, Resolver: r, Timeout: 5 * time.Second}
		c, err := d.DialContext(ctx, network, net.JoinHostPort("dc.test", port))
		if err != nil {
			return "", err
		}
		c.Close()
		return <-families, nil
	}
	for _, tc := range []struct {
		pref    transport.IPPreference
		network string
		want    string
	}{
		{transport.PreferAny, "tcp", "ipv6"}, // the resolver's order
		{transport.PreferIPv4, "tcp", "ipv4"},
		{transport.PreferIPv6, "tcp", "ipv6"},
		{transport.OnlyIPv4, "tcp", "ipv4"},
		{transport.OnlyIPv6, "tcp", "ipv6"},
		{transport.PreferIPv6, "tcp4", "ipv4"},
		{transport.PreferIPv4, "tcp6", "ipv6"},
	} {
		got, err := dial(tc.pref, both, tc.network)
		if err != nil || got != tc.want {
			t.Errorf("%v over %s: %s, %v; want %s", tc.pref, tc.network, got, err, tc.want)
		}
	}
	if _, err := dial(transport.OnlyIPv6, v4only, "tcp"); err == nil {
		t.Error("OnlyIPv6 dialed an IPv4-only host")
	}
	// Falls back to IPv4 when IPv6 refuses.
	l6.Close()
	if got, err := dial(transport.PreferIPv6, both, "tcp"); err != nil || got != "ipv4" {
		t.Errorf("fallback: %s, %v", got, err)
	}
	if _, err := dial(transport.PreferAny, both, "udp"); err == nil {
		t.Error("udp accepted")
	}
	if _, err := dial(transport.PreferAny, fakeResolver{}, "tcp"); err == nil {
		t.Error("unknown host dialed")
	}
}

func TestDirectDialerLiterals(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			addr := startEcho(t, network)
			c, err := (&transport.DirectDialer{}).DialContext(context.Background(), "tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			checkEcho(t, c)
		})
	}
}

func TestProxyDialer(t *testing.T) {
	d, err := transport.ProxyDialer("socks5://u:p@127.0.0.1:1080", nil)
	if s, ok := d.(*transport.SOCKS5Dialer); err != nil || !ok || s.Username != "u" || s.Password != "p" || s.Addr != "127.0.0.1:1080" {
		t.Fatalf("socks5: %#v %v", d, err)
	}
	d, err = transport.ProxyDialer("http://[::1]:3128", nil)
	if h, ok := d.(*transport.HTTPConnectDialer); err != nil || !ok || h.Addr != "[::1]:3128" {
		t.Fatalf("http: %#v %v", d, err)
	}
	for _, bad := range []string{"ftp://127.0.0.1:21", "socks5://127.0.0.1", "::"} {
		if _, err := transport.ProxyDialer(bad, nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Dial composes a proxy dialer with every MTProxy mode, end to end over
// loopback TCP.
func TestDialThroughProxies(t *testing.T) {
	srv := transport.NewServer(serverOptions())
	l := listenLoopback(t, "tcp4")
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				c, _, err := srv.Accept(conn)
				if err != nil {
					return
				}
				for {
					p, err := c.ReadPacket()
					if err != nil {
						return
					}
					if c.Kind() == transport.PaddedIntermediate {
						p = p[:len(p)/16*16]
					}
					c.WritePacket(p)
				}
			}()
		}
	}()
	dialers := map[string]transport.Dialer{
		"socks5": &transport.SOCKS5Dialer{Addr: (&socksServer{user: "u", pass: "p"}).start(t), Username: "u", Password: "p"},
		"http":   &transport.HTTPConnectDialer{Addr: (&httpProxy{}).start(t)},
	}
	for dname, d := range dialers {
		for _, m := range allModes {
			t.Run(dname+"/"+m.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				c, err := transport.Dial(ctx, l.Addr().String(), transport.Options{Dialer: d, Obfuscated: m.obfuscated, Secret: m.secret, DC: 2})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				p := payload(1024)
				if err := c.WritePacket(p); err != nil {
					t.Fatal(err)
				}
				got, err := c.ReadPacket()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got[:len(p)], p) {
					t.Fatal("echo differs")
				}
			})
		}
	}
}

func TestDialFailsCleanly(t *testing.T) {
	l := listenLoopback(t, "tcp4")
	addr := l.Addr().String()
	l.Close()
	if _, err := transport.Dial(context.Background(), addr, transport.Options{}); err == nil {
		t.Fatal("dialed a closed port")
	}
	if _, err := transport.Dial(context.Background(), addr, transport.Options{Kind: transport.Full, Obfuscated: true}); !errors.Is(err, transport.ErrFullNotObfuscated) {
		t.Fatalf("got %v", err)
	}
}
