// Package core is Polygram's Telegram client: the part every binding drives.
// A Client connects to the right data centres, invokes any TL function with
// a sound policy (flood waits, migrations, retries), logs in every way
// Telegram allows, keeps its state in a session.Store, and caches and
// resolves peers.
package core

import (
	"log/slog"
	"time"

	"github.com/polygram/polygram/mtproto/conn"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/transport"
	"github.com/polygram/polygram/session"
)

// DCAddr is a bootstrap address of a data centre.
type DCAddr struct {
	ID   int
	Addr string // host:port
}

// ProductionDCs are the production bootstrap addresses (source:
// telegramdesktop/tdesktop mtproto_dc_options.cpp, see schema/telegram-facts.md).
var ProductionDCs = []DCAddr{
	{1, "149.154.175.50:443"}, {2, "149.154.167.51:443"}, {3, "149.154.175.100:443"},
	{4, "149.154.167.91:443"}, {5, "149.154.171.5:443"},
}

// TestDCs are Telegram's test servers (same source).
var TestDCs = []DCAddr{{1, "149.154.175.10:443"}, {2, "149.154.167.40:443"}, {3, "149.154.175.117:443"}}

// Config configures a Client. Only APIID and APIHash are required to talk to
// Telegram; tests against the emulator also set DCs and PublicKeys.
type Config struct {
	APIID   int32
	APIHash string

	// Device and app description sent in initConnection (defaults describe
	// Polygram).
	DeviceModel, SystemVersion, AppVersion string
	SystemLangCode, LangPack, LangCode     string

	// DCs are the bootstrap addresses (ProductionDCs by default, TestDCs
	// with TestServers). After the first connection the list from
	// help.getConfig, kept in the session, is used.
	DCs []DCAddr
	// DefaultDC is the DC to start on when the session names none (2).
	DefaultDC int
	// TestServers selects Telegram's test DCs and key.
	TestServers bool
	// PublicKeys are the server RSA keys (Telegram's by default).
	PublicKeys []crypto.PublicKey

	// Transport is the framing (default intermediate), Obfuscated hides it,
	// Proxy is a socks5:// or http:// URL, Secret an MTProxy secret (the
	// address of the MTProxy is then used for every DC).
	Transport  transport.Kind
	Obfuscated bool
	Proxy      string
	MTProxy    string // host:port of an MTProxy
	Secret     string // its secret (hex or base64)
	// PreferIPv6 prefers IPv6 DC addresses from help.getConfig.
	PreferIPv6 bool
	// PFS enables perfect forward secrecy: each connection encrypts with a
	// temporary key bound to the stored permanent key (auth.bindTempAuthKey),
	// so a leaked permanent key does not reveal past traffic.
	PFS bool

	// Session stores keys, DCs, the self user, update state and peers
	// (in memory by default).
	Session session.Store

	// FloodSleepThreshold is the longest FLOOD_WAIT/SLOWMODE_WAIT slept
	// through before the error is returned instead (60 s; negative: never
	// sleep).
	FloodSleepThreshold time.Duration
	// RetryLimit bounds retries of internal server errors (5).
	RetryLimit int
	// DialTimeout bounds one connection attempt (10 s).
	DialTimeout time.Duration
	// PingInterval is the keep-alive period (60 s).
	PingInterval time.Duration
	// FileConnections is how many extra connections per DC carry file parts
	// (2; negative: none, file parts share the DC's main connection). Each
	// is its own session on the DC's auth key, to the DC's media-only
	// address when the server announces one.
	FileConnections int

	// Logger receives diagnostics (never key material).
	Logger *slog.Logger

	// Updates tunes the receiving and dispatching of updates (handler
	// workers, album window, channel fetch concurrency, gap and idle waits).
	Updates UpdateOptions

	// OnUpdates receives every updates object the server pushes (the
	// updates manager subscribes here). It must not block.
	OnUpdates func(dc int, body []byte)
	// OnNewSession is called when the server reports a new session on the
	// main DC (updates may have been missed).
	OnNewSession func()
	// OnConnState reports connection state changes per DC (connecting,
	// connected, disconnected, closed). It must not block.
	OnConnState func(dc int, state conn.State)
}

func (c *Config) setDefaults() {
	if c.DeviceModel == "" {
		c.DeviceModel = "Polygram"
	}
	if c.SystemVersion == "" {
		c.SystemVersion = "Go"
	}
	if c.AppVersion == "" {
		c.AppVersion = Version
	}
	if c.SystemLangCode == "" {
		c.SystemLangCode = "en"
	}
	if c.LangCode == "" {
		c.LangCode = "en"
	}
	if len(c.DCs) == 0 {
		if c.TestServers {
			c.DCs = TestDCs
		} else {
			c.DCs = ProductionDCs
		}
	}
	if c.DefaultDC == 0 {
		c.DefaultDC = 2
	}
	if len(c.PublicKeys) == 0 {
		if c.TestServers {
			c.PublicKeys = crypto.TestKeys()
		} else {
			c.PublicKeys = crypto.ProductionKeys()
		}
	}
	if c.Transport == 0 {
		c.Transport = transport.Intermediate
	}
	if c.Session == nil {
		c.Session = session.NewMemory()
	}
	if c.FloodSleepThreshold == 0 {
		c.FloodSleepThreshold = 60 * time.Second
	}
	if c.FileConnections == 0 {
		c.FileConnections = 2
	}
	if c.RetryLimit == 0 {
		c.RetryLimit = 5
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Version is Polygram's version.
const Version = "0.1.0"
