package core

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// File parts travel over a small pool of extra connections per DC, as the
// official apps do: each is its own MTProto session on the DC's auth key (no
// new key exchange, no new authorization), addressed to the DC's media-only
// option when the server announced one. Parts in flight are spread over the
// pool, so the encryption and decryption of large answers run on several
// connections (and cores) at once, and a large part never queues behind
// another on one socket. Any error there (an RPC error such as
// FILE_MIGRATE_X or FILE_REFERENCE_EXPIRED, a dropped connection) sends the
// call through the ordinary invoke policy instead, which handles it.

// fileConns is the pool of file connections of one client.
type fileConns struct {
	mu     sync.Mutex
	dcs    map[int]*filePool
	closed bool
}

// filePool is the file connections to one DC.
type filePool struct {
	mu     sync.Mutex
	conns  []*fileConn // up to Config.FileConnections, dialled on demand
	closed bool
	next   atomic.Uint32
}

// fileConn is one file connection.
type fileConn struct {
	conn   *conn.Conn
	inited atomic.Bool // initConnection sent on this session
}

// closeAll closes every file connection; the pool is unusable afterwards.
func (f *fileConns) closeAll() {
	f.mu.Lock()
	f.closed = true
	dcs := f.dcs
	f.dcs = nil
	f.mu.Unlock()
	for _, p := range dcs {
		p.mu.Lock()
		for _, fc := range p.conns {
			if fc != nil {
				fc.conn.Close()
			}
		}
		p.conns, p.closed = nil, true
		p.mu.Unlock()
	}
}

func (f *fileConns) pool(dc int) *filePool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	if f.dcs == nil {
		f.dcs = map[int]*filePool{}
	}
	p := f.dcs[dc]
	if p == nil {
		p = &filePool{}
		f.dcs[dc] = p
	}
	return p
}

// invokeFile sends a file call (upload.getFile, upload.saveFilePart...) on
// a file connection of the DC when the client has them, else (or on any
// error there) with the ordinary invoke policy.
func (c *Client) invokeFile(ctx context.Context, dc int, method string, body []byte) ([]byte, error) {
	if c.cfg.FileConnections > 0 {
		if res, err := c.invokeFileConn(ctx, dc, body); err == nil {
			return res, nil
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return c.InvokeRawOnDC(ctx, dc, method, body)
}

// errNoFileConn means no file connection could be used.
var errNoFileConn = errors.New("core: no file connection")

func (c *Client) invokeFileConn(ctx context.Context, dc int, body []byte) ([]byte, error) {
	target := dc
	if target == 0 {
		target = c.MainDC()
	}
	if target != c.MainDC() {
		// The authorization belongs to the key, which the file sessions
		// share: import it once through the ordinary path.
		if err := c.ensureAuthorized(ctx, target); err != nil {
			return nil, err
		}
	}
	p := c.files.pool(target)
	if p == nil {
		return nil, ErrClosed
	}
	fc, err := c.fileConn(ctx, p, target)
	if err != nil {
		return nil, err
	}
	send, err := tl.Encode(&api.InvokeWithoutUpdatesRequest{Query: rawQuery(body)})
	if err != nil {
		return nil, err
	}
	inited := fc.inited.Load()
	if !inited {
		if send, err = c.wrapInit(send); err != nil {
			return nil, err
		}
	}
	res, err := fc.conn.Invoke(ctx, send)
	if err == nil && !inited {
		fc.inited.Store(true)
	}
	return res, err
}

// fileConn picks the pool's next connection, dialling it when it is not
// open yet (or closed since).
func (c *Client) fileConn(ctx context.Context, p *filePool, dc int) (*fileConn, error) {
	i := int(p.next.Add(1)) % c.cfg.FileConnections
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	if len(p.conns) < c.cfg.FileConnections {
		p.conns = append(p.conns, make([]*fileConn, c.cfg.FileConnections-len(p.conns))...)
	}
	if fc := p.conns[i]; fc != nil {
		select {
		case <-fc.conn.Done():
		default:
			return fc, nil
		}
	}
	cn, err := c.dialFileConn(ctx, dc)
	if err != nil {
		return nil, err
	}
	p.conns[i] = &fileConn{conn: cn}
	return p.conns[i], nil
}

// dialFileConn opens a new session on the DC's auth key, to its media-only
// address when there is one.
func (c *Client) dialFileConn(ctx context.Context, dc int) (*conn.Conn, error) {
	if _, err := c.dc(ctx, dc); err != nil { // makes the DC's key if needed
		return nil, err
	}
	stored, err := c.store.AuthKey(dc)
	if err != nil || stored == nil {
		return nil, errNoFileConn
	}
	key, err := crypto.NewAuthKey(stored.Key)
	if err != nil {
		return nil, err
	}
	addr, err := c.fileAddr(dc)
	if err != nil {
		return nil, err
	}
	topts, proxyAddr, err := c.transportOptions(dc)
	if err != nil {
		return nil, err
	}
	if proxyAddr != "" {
		addr = proxyAddr
	}
	cfg := conn.Config{Addr: addr, DC: dc, Transport: topts, Keys: c.cfg.PublicKeys, PFS: c.cfg.PFS,
		AuthKey: key, Salt: stored.Salt, TimeOffset: stored.TimeOffset,
		PingInterval: c.cfg.PingInterval, DialTimeout: c.cfg.DialTimeout, Logger: c.cfg.Logger}
	dctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	return conn.Dial(dctx, cfg)
}

// fileAddr is the DC's media-only address when the server announced one
// (help.getConfig), else its ordinary address.
func (c *Client) fileAddr(dc int) (string, error) {
	opts, err := c.store.DCOptions()
	if err != nil {
		return "", err
	}
	var best *session.DCOption
	for i := range opts {
		o := &opts[i]
		if o.ID != dc || !o.MediaOnly || o.CDN || o.TCPOOnly {
			continue
		}
		if best == nil || (o.IPv6 == c.cfg.PreferIPv6 && best.IPv6 != c.cfg.PreferIPv6) {
			best = o
		}
	}
	if best != nil {
		return net.JoinHostPort(best.IP, strconv.Itoa(best.Port)), nil
	}
	return c.addr(dc)
}
