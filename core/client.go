package core

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/transport"
	"github.com/polygram/polygram/session"
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
	"github.com/polygram/polygram/tl/rpcerr"
)

// Client is a Telegram client. It is safe for concurrent use.
type Client struct {
	cfg   Config
	store session.Store

	mu     sync.Mutex
	mainDC int
	dcs    map[int]*dcConn
	closed bool
	ctx    context.Context
	stop   context.CancelFunc

	loginTokens chan struct{} // updateLoginToken arrivals (QR login)
	disp        *dispatcher
	connected   sync.Map  // DC id → true once a connection to it was up
	files       fileConns // file-part connections (files_conns.go)

	cdnMu   sync.Mutex
	cdnKeys []crypto.PublicKey // help.getCdnConfig (files_cdn.go)
}

// dcConn is the connection to one data centre, opened on first use.
type dcConn struct {
	id         int
	mu         sync.Mutex // serialises opening
	conn       *conn.Conn
	inited     atomic.Bool // initConnection sent on this session (set from the conn's goroutine too)
	authorized bool        // authorization imported (non-main DCs)
}

// New returns a client; nothing is sent until Connect or the first call.
func New(cfg Config) (*Client, error) {
	cfg.setDefaults()
	if cfg.APIID == 0 || cfg.APIHash == "" {
		return nil, errors.New("core: Config.APIID and Config.APIHash are required (get them at my.telegram.org)")
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &Client{cfg: cfg, store: cfg.Session, dcs: map[int]*dcConn{}, ctx: ctx, stop: stop,
		loginTokens: make(chan struct{}, 1)}
	dc, err := c.store.MainDC()
	if err != nil {
		return nil, fmt.Errorf("core: reading the session: %w", err)
	}
	if dc == 0 {
		dc = cfg.DefaultDC
	}
	c.mainDC = dc
	return c, nil
}

// Session returns the client's session store.
func (c *Client) Session() session.Store { return c.store }

// MainDC returns the data centre the account lives on (or the client starts on).
func (c *Client) MainDC() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mainDC
}

// Connect opens the connection to the main data centre and fetches the
// configuration (help.getConfig), whose DC list is kept in the session.
func (c *Client) Connect(ctx context.Context) error {
	res, err := c.Invoke(ctx, &api.HelpGetConfigRequest{})
	if err != nil {
		return err
	}
	cfg := res.(*api.Config)
	var opts []session.DCOption
	for _, o := range cfg.DCOptions {
		d, ok := o.(*api.DCOption)
		if !ok {
			continue
		}
		opts = append(opts, session.DCOption{ID: int(d.ID), IP: d.IPAddress, Port: int(d.Port), IPv6: d.IPv6,
			MediaOnly: d.MediaOnly, CDN: d.CDN, TCPOOnly: d.TcpoOnly, Static: d.Static,
			ThisPortOnly: d.ThisPortOnly, Secret: d.Secret})
	}
	if len(opts) > 0 {
		if err := c.store.SetDCOptions(opts); err != nil {
			return fmt.Errorf("core: saving DC options: %w", err)
		}
	}
	return nil
}

// Close closes every connection. The session store is left open (the
// caller owns it).
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.stop()
	c.files.closeAll()
	dcs := c.dcs
	c.dcs = map[int]*dcConn{}
	c.mu.Unlock()
	for _, d := range dcs {
		d.mu.Lock()
		if d.conn != nil {
			d.conn.Close()
		}
		d.mu.Unlock()
	}
	return nil
}

// addr returns the address to use for a DC: from the session's DC options
// (after help.getConfig), else the bootstrap list.
func (c *Client) addr(dc int) (string, error) {
	opts, err := c.store.DCOptions()
	if err != nil {
		return "", err
	}
	var best *session.DCOption
	cdn := c.isCDN(dc)
	for i := range opts {
		o := &opts[i]
		if o.ID != dc || o.MediaOnly || o.CDN != cdn || o.TCPOOnly {
			continue
		}
		if best == nil || (o.IPv6 == c.cfg.PreferIPv6 && best.IPv6 != c.cfg.PreferIPv6) {
			best = o
		}
	}
	if best != nil {
		return net.JoinHostPort(best.IP, strconv.Itoa(best.Port)), nil
	}
	for _, b := range c.cfg.DCs {
		if b.ID == dc {
			return b.Addr, nil
		}
	}
	return "", fmt.Errorf("core: no address known for DC %d", dc)
}

func (c *Client) transportOptions(dc int) (transport.Options, string, error) {
	o := transport.Options{Kind: c.cfg.Transport, Obfuscated: c.cfg.Obfuscated, DC: dc}
	if c.cfg.Proxy != "" {
		d, err := transport.ProxyDialer(c.cfg.Proxy, nil)
		if err != nil {
			return o, "", fmt.Errorf("core: proxy: %w", err)
		}
		o.Dialer = d
	}
	if c.cfg.Secret != "" {
		s, err := transport.ParseSecret(c.cfg.Secret)
		if err != nil {
			return o, "", fmt.Errorf("core: MTProxy secret: %w", err)
		}
		o.Secret, o.Obfuscated = s, true
		return o, c.cfg.MTProxy, nil
	}
	return o, "", nil
}

// dc returns the connection to a data centre, opening it when needed.
func (c *Client) dc(ctx context.Context, id int) (*dcConn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	d, ok := c.dcs[id]
	if !ok {
		d = &dcConn{id: id}
		c.dcs[id] = d
	}
	c.mu.Unlock()

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		select {
		case <-d.conn.Done():
			d.conn, d.authorized = nil, false
			d.inited.Store(false)
		default:
			return d, nil
		}
	}
	addr, err := c.addr(id)
	if err != nil {
		return nil, err
	}
	topts, proxyAddr, err := c.transportOptions(id)
	if err != nil {
		return nil, err
	}
	if proxyAddr != "" {
		addr = proxyAddr
	}
	stored, err := c.store.AuthKey(id)
	if err != nil {
		return nil, fmt.Errorf("core: reading the auth key of DC %d: %w", id, err)
	}
	keys := c.cfg.PublicKeys
	if c.isCDN(id) {
		// A CDN DC has its own keys (help.getCdnConfig).
		if keys, err = c.cdnPublicKeys(ctx); err != nil {
			return nil, err
		}
	}
	ccfg := conn.Config{Addr: addr, DC: id, Transport: topts, Keys: keys, PFS: c.cfg.PFS,
		PingInterval: c.cfg.PingInterval, DialTimeout: c.cfg.DialTimeout, Logger: c.cfg.Logger,
		OnKey: func(k *crypto.AuthKey, salt int64, offset time.Duration) {
			err := c.store.SetAuthKey(session.AuthKey{DC: id, Key: k.Bytes(), Salt: salt, TimeOffset: offset, CreatedAt: time.Now()})
			if err != nil {
				c.cfg.Logger.Error("saving an auth key failed", "dc", id, "err", err)
			}
		},
		OnUpdate: func(body []byte) { c.onUpdate(id, body) },
		OnState: func(st conn.State) {
			if st == conn.Connected {
				if _, again := c.connected.LoadOrStore(id, true); again && id == c.MainDC() {
					// Back after a disconnection: pushes may have been lost.
					c.catchUpAfterReconnect()
				}
			}
			if c.cfg.OnConnState != nil {
				c.cfg.OnConnState(id, st)
			}
		},
		OnNewSession: func() {
			// Runs on the connection's goroutine, possibly while dc()
			// still holds d.mu inside conn.Dial: no locks here.
			d.inited.Store(false)
			if id == c.MainDC() {
				// The server may have dropped pushes with the old session.
				c.catchUpAfterReconnect()
				if c.cfg.OnNewSession != nil {
					c.cfg.OnNewSession()
				}
			}
		},
	}
	if stored != nil {
		k, err := crypto.NewAuthKey(stored.Key)
		if err != nil {
			return nil, fmt.Errorf("core: the stored auth key of DC %d is invalid: %w", id, err)
		}
		ccfg.AuthKey, ccfg.Salt, ccfg.TimeOffset = k, stored.Salt, stored.TimeOffset
	}
	dctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	cn, err := conn.Dial(dctx, ccfg)
	if err != nil {
		return nil, err
	}
	d.conn, d.authorized = cn, false
	d.inited.Store(false)
	return d, nil
}

// dropDC forgets a DC's connection (and, when the server lost the key, the
// key itself).
func (c *Client) dropDC(id int, forgetKey bool) {
	c.mu.Lock()
	d := c.dcs[id]
	delete(c.dcs, id)
	c.mu.Unlock()
	if d != nil {
		d.mu.Lock()
		if d.conn != nil {
			d.conn.Close()
		}
		d.mu.Unlock()
	}
	if forgetKey {
		c.store.DeleteAuthKey(id)
	}
}

// rawQuery is an already encoded function call, embedded as the query of a
// wrapper such as invokeWithLayer.
type rawQuery []byte

func (r rawQuery) TypeID() uint32 {
	if len(r) < 4 {
		return 0
	}
	return uint32(r[0]) | uint32(r[1])<<8 | uint32(r[2])<<16 | uint32(r[3])<<24
}
func (r rawQuery) TypeName() string                      { return "query" }
func (r rawQuery) EncodeBare(e *tl.Encoder)              { e.Raw(r[4:]) }
func (r rawQuery) DecodeBare(d *tl.Decoder)              {}
func (r rawQuery) DecodeResult(*tl.Decoder) (any, error) { return nil, errors.New("core: raw query") }

// wrapInit wraps a call in invokeWithLayer(initConnection(...)).
func (c *Client) wrapInit(body []byte) ([]byte, error) {
	return tl.Encode(&api.InvokeWithLayerRequest{Layer: api.Layer, Query: &api.InitConnectionRequest{
		APIID: c.cfg.APIID, DeviceModel: c.cfg.DeviceModel, SystemVersion: c.cfg.SystemVersion,
		AppVersion: c.cfg.AppVersion, SystemLangCode: c.cfg.SystemLangCode, LangPack: c.cfg.LangPack,
		LangCode: c.cfg.LangCode, Query: rawQuery(body)}})
}

// invokeOnce sends one call on one DC with no retry policy.
func (c *Client) invokeOnce(ctx context.Context, dc int, body []byte) ([]byte, error) {
	d, err := c.dc(ctx, dc)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	cn := d.conn
	d.mu.Unlock()
	inited := d.inited.Load()
	if cn == nil {
		return nil, conn.ErrClosed
	}
	send := body
	if !inited {
		if send, err = c.wrapInit(body); err != nil {
			return nil, err
		}
	}
	res, err := cn.Invoke(ctx, send)
	if !inited && err == nil {
		d.inited.Store(true)
	}
	return res, err
}

// maxMigrations bounds DC switches for one call.
const maxMigrations = 5

// InvokeRaw sends an encoded function call (boxed TL) to the main DC with
// the invoke policy and returns the encoded result.
func (c *Client) InvokeRaw(ctx context.Context, method string, body []byte) ([]byte, error) {
	return c.invokeRaw(ctx, 0, method, body)
}

// InvokeRawOnDC is InvokeRaw on a given DC (0 means the main DC); the
// account's authorization is imported there first when logged in.
func (c *Client) InvokeRawOnDC(ctx context.Context, dc int, method string, body []byte) ([]byte, error) {
	return c.invokeRaw(ctx, dc, method, body)
}

func (c *Client) invokeRaw(ctx context.Context, dc int, method string, body []byte) ([]byte, error) {
	return c.invokeRawFrom(ctx, dc, method, body, nil, 0)
}

// invokeRawFrom is invokeRaw whose first attempt may already have been sent
// (to DC firstDC; first returns its outcome; see Begin).
func (c *Client) invokeRawFrom(ctx context.Context, dc int, method string, body []byte, first func(context.Context) ([]byte, error), firstDC int) ([]byte, error) {
	migrations, retries, keyResets := 0, 0, 0
	for {
		var target int
		var res []byte
		var err error
		if first != nil {
			target = firstDC
			res, err = first(ctx)
			first = nil
		} else {
			target = dc
			if target == 0 {
				target = c.MainDC()
			}
			if target != c.MainDC() {
				if err := c.ensureAuthorized(ctx, target); err != nil {
					return nil, err
				}
			}
			res, err = c.invokeOnce(ctx, target, body)
		}
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ce *conn.RPCError
		switch {
		case errors.As(err, &ce):
		case errors.Is(err, conn.ErrAuthKeyNotFound) && keyResets < 2:
			// The server lost our key. With PFS that is usually the
			// temporary key (expired): reconnect with a new one first.
			// Otherwise, or if that fails too, make a new permanent key (the
			// account must then log in again, which the next call reports).
			keyResets++
			forget := !c.cfg.PFS || keyResets == 2
			c.cfg.Logger.Warn("the server does not know our auth key", "dc", target, "new_permanent_key", forget)
			c.dropDC(target, forget)
			continue
		case errors.Is(err, conn.ErrClosed) && !c.isClosed() && retries < c.cfg.RetryLimit:
			retries++
			c.dropDC(target, false)
			continue
		case errors.Is(err, conn.ErrClosed) && c.isClosed():
			return nil, ErrClosed
		default:
			return nil, err
		}
		rerr := newRPCError(method, ce)
		switch rerr.Name {
		case rpcerr.ErrFloodWait, rpcerr.ErrSlowmodeWait, "FLOOD_PREMIUM_WAIT_X":
			wait := time.Duration(rerr.Number) * time.Second
			if c.cfg.FloodSleepThreshold < 0 || wait > c.cfg.FloodSleepThreshold {
				return nil, &FloodWaitError{RPCError: rerr, Wait: wait}
			}
			c.cfg.Logger.Info("flood wait: sleeping", "method", method, "seconds", rerr.Number)
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		case rpcerr.ErrPhoneMigrate, rpcerr.ErrUserMigrate, rpcerr.ErrNetworkMigrate:
			if migrations++; migrations > maxMigrations || rerr.Number <= 0 {
				return nil, rerr
			}
			c.cfg.Logger.Info("migrating to another DC", "method", method, "dc", rerr.Number)
			if err := c.setMainDC(rerr.Number); err != nil {
				return nil, err
			}
			dc = 0
			continue
		case rpcerr.ErrFileMigrate, rpcerr.ErrStatsMigrate:
			if migrations++; migrations > maxMigrations || rerr.Number <= 0 {
				return nil, rerr
			}
			dc = rerr.Number
			continue
		case rpcerr.ErrAuthKeyDuplicated:
			return nil, fmt.Errorf("%w (%v)", ErrAuthKeyDuplicated, rerr)
		}
		if unauthorizedNames[rerr.Name] {
			return nil, fmt.Errorf("%w: %w", ErrUnauthorized, rerr)
		}
		if (rerr.Code >= 500 || rerr.Code == -503) && retries < c.cfg.RetryLimit {
			retries++
			if err := sleep(ctx, backoff(retries)); err != nil {
				return nil, err
			}
			continue
		}
		return nil, rerr
	}
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func backoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 6)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) setMainDC(dc int) error {
	c.mu.Lock()
	c.mainDC = dc
	c.mu.Unlock()
	return c.store.SetMainDC(dc)
}

// ensureAuthorized imports the account's authorization into a non-main DC
// once (auth.exportAuthorization on the main DC, auth.importAuthorization
// there), when the client is logged in.
func (c *Client) ensureAuthorized(ctx context.Context, dc int) error {
	self, err := c.store.Self()
	if err != nil || self == nil {
		return err
	}
	d, err := c.dc(ctx, dc)
	if err != nil {
		return err
	}
	d.mu.Lock()
	done := d.authorized
	d.mu.Unlock()
	if done {
		return nil
	}
	res, err := c.Invoke(ctx, &api.AuthExportAuthorizationRequest{DCID: int32(dc)})
	if err != nil {
		return fmt.Errorf("core: exporting the authorization to DC %d: %w", dc, err)
	}
	exp := res.(*api.AuthExportedAuthorization)
	body, err := tl.Encode(&api.AuthImportAuthorizationRequest{ID: exp.ID, Bytes: exp.Bytes})
	if err != nil {
		return err
	}
	if _, err := c.invokeOnce(ctx, dc, body); err != nil {
		return fmt.Errorf("core: importing the authorization into DC %d: %w", dc, err)
	}
	d.mu.Lock()
	d.authorized = true
	d.mu.Unlock()
	return nil
}

// Invoke calls any Telegram API function on the main DC with the invoke
// policy and returns its decoded result (for example *api.Config for
// help.getConfig). Every user and chat in the result is cached.
func (c *Client) Invoke(ctx context.Context, fn tl.Function) (any, error) {
	return c.InvokeOnDC(ctx, 0, fn)
}

// InvokeOnDC is Invoke on a given DC (0: the main DC).
func (c *Client) InvokeOnDC(ctx context.Context, dc int, fn tl.Function) (any, error) {
	body, err := tl.Encode(fn)
	if err != nil {
		return nil, fmt.Errorf("core: encoding %s: %w", tl.Name(fn), err)
	}
	raw, err := c.invokeRaw(ctx, dc, tl.Name(fn), body)
	if err != nil {
		return nil, err
	}
	return c.decodeResult(fn, raw)
}

// decodeResult decodes a function's result and caches what it carries.
func (c *Client) decodeResult(fn tl.Function, raw []byte) (any, error) {
	res, err := fn.DecodeResult(tl.NewDecoder(raw))
	if err != nil {
		return nil, fmt.Errorf("core: decoding the result of %s: %w", tl.Name(fn), err)
	}
	c.cacheResult(res)
	c.feedResultOf(fn, res)
	return res, nil
}
