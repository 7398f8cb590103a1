package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"
)

// Dialer opens stream connections. *net.Dialer and every dialer of this
// package satisfy it, so proxies can be chained through their Forward field.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// IPPreference orders or restricts the address families DirectDialer tries.
type IPPreference uint8

const (
	// PreferAny keeps the resolver's order.
	PreferAny IPPreference = iota
	// PreferIPv4 tries IPv4 addresses first, then IPv6.
	PreferIPv4
	// PreferIPv6 tries IPv6 addresses first, then IPv4.
	PreferIPv6
	// OnlyIPv4 never uses IPv6.
	OnlyIPv4
	// OnlyIPv6 never uses IPv4.
	OnlyIPv6
)

// String returns the preference's name.
func (p IPPreference) String() string {
	switch p {
	case PreferAny:
		return "any"
	case PreferIPv4:
		return "prefer-ipv4"
	case PreferIPv6:
		return "prefer-ipv6"
	case OnlyIPv4:
		return "only-ipv4"
	case OnlyIPv6:
		return "only-ipv6"
	}
	return fmt.Sprintf("IPPreference(%d)", uint8(p))
}

// Resolver looks host names up; *net.Resolver satisfies it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// DirectDialer connects over TCP without a proxy. It resolves host names
// itself so it can honour Preference, and tries each address in turn until
// one answers. The zero value is ready to use.
type DirectDialer struct {
	// Preference orders or restricts IPv4 and IPv6 addresses.
	Preference IPPreference
	// Timeout bounds each connection attempt (0: only ctx bounds it).
	Timeout time.Duration
	// Resolver looks host names up. nil means net.DefaultResolver.
	Resolver Resolver
}

// DialContext connects to addr. network is "tcp", "tcp4" or "tcp6" (the
// last two narrow the Preference to one family).
func (d *DirectDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	pref := d.Preference
	switch network {
	case "tcp":
	case "tcp4":
		pref = OnlyIPv4
	case "tcp6":
		pref = OnlyIPv6
	default:
		return nil, fmt.Errorf("transport: DirectDialer: network %q is not tcp, tcp4 or tcp6", network)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("transport: DirectDialer: %w", err)
	}
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		r := d.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		addrs, err := r.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("transport: resolving %q: %w", host, err)
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	ips = orderIPs(ips, pref)
	if len(ips) == 0 {
		return nil, fmt.Errorf("transport: %q has no address allowed by preference %v", host, pref)
	}
	nd := net.Dialer{Timeout: d.Timeout}
	var errs []error
	for _, ip := range ips {
		fam := "tcp6"
		if ip.To4() != nil {
			fam = "tcp4"
		}
		conn, err := nd.DialContext(ctx, fam, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("transport: dialing %s: %w", addr, errors.Join(errs...))
}

// orderIPs filters and stably orders addresses by preference.
func orderIPs(ips []net.IP, pref IPPreference) []net.IP {
	is4 := func(ip net.IP) bool { return ip.To4() != nil }
	out := make([]net.IP, 0, len(ips))
	for _, ip := range ips {
		if (pref == OnlyIPv4 && !is4(ip)) || (pref == OnlyIPv6 && is4(ip)) {
			continue
		}
		out = append(out, ip)
	}
	if pref == PreferIPv4 || pref == PreferIPv6 {
		slices.SortStableFunc(out, func(a, b net.IP) int {
			ra, rb := is4(a) == (pref == PreferIPv4), is4(b) == (pref == PreferIPv4)
			switch {
			case ra && !rb:
				return -1
			case rb && !ra:
				return 1
			}
			return 0
		})
	}
	return out
}

// ProxyDialer returns the dialer for a proxy URL: socks5://[user:pass@]host:port
// (socks5h is accepted as a synonym: host names are always resolved by the
// proxy) or http://[user:pass@]host:port for HTTP CONNECT. forward opens the
// connection to the proxy; nil means &DirectDialer{}.
func ProxyDialer(proxyURL string, forward Dialer) (Dialer, error) {
	u, err := url.Parse(proxyURL)
	if err != nil {
		return nil, fmt.Errorf("transport: proxy URL: %w", err)
	}
	if u.Host == "" || u.Port() == "" {
		return nil, fmt.Errorf("transport: proxy URL %q needs host:port", u.Redacted())
	}
	var user, pass string
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	switch u.Scheme {
	case "socks5", "socks5h":
		return &SOCKS5Dialer{Addr: u.Host, Username: user, Password: pass, Forward: forward}, nil
	case "http":
		return &HTTPConnectDialer{Addr: u.Host, Username: user, Password: pass, Forward: forward}, nil
	}
	return nil, fmt.Errorf("transport: proxy scheme %q is not socks5, socks5h or http", u.Scheme)
}

func forwardDialer(d Dialer) Dialer {
	if d == nil {
		return &DirectDialer{}
	}
	return d
}
