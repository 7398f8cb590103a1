package bridge

import (
	"fmt"
	"math"
	"strings"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/mtproto/transport"
	"github.com/polygram/polygram/session"
)

// clientOptions is a parsed client configuration: what core takes, and what
// the C API itself does with events.
type clientOptions struct {
	core       core.Config
	session    sessionSpec
	logLevel   int
	queueSize  int
	rawUpdates bool
}

// sessionSpec says where the session lives; it is opened only when the
// whole configuration is valid.
type sessionSpec struct {
	path                                string // "" with no string: memory
	str, telethonString, pyrogramString string
}

const defaultQueueSize = 10000

// parseConfig reads the msgpack configuration map of polygram_client_new.
func parseConfig(b []byte) (*clientOptions, *Error) {
	v, err := decodeMsgpack(b)
	if err != nil {
		return nil, errorf(statusDecode, "config: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errorf(statusInvalidArgument, "config: must be a msgpack map, got %s", typeName(v))
	}
	f := newFields("config", "key", v)
	o := &clientOptions{logLevel: logWarn, queueSize: defaultQueueSize}
	c := &o.core
	id := f.reqInt("api_id")
	if id <= 0 || id > math.MaxInt32 {
		f.fail("config: api_id must be a positive 32-bit int (get one at my.telegram.org)")
	}
	c.APIID = int32(id)
	c.APIHash = f.reqStr("api_hash")
	c.DeviceModel = f.str("device_model", "")
	c.SystemVersion = f.str("system_version", "")
	c.AppVersion = f.str("app_version", "")
	c.SystemLangCode = f.str("system_lang_code", "")
	c.LangPack = f.str("lang_pack", "")
	c.LangCode = f.str("lang_code", "")
	for i, d := range f.list("dcs") {
		df := newFields(fmt.Sprintf("config: dcs[%d]", i), "key", d)
		dc := core.DCAddr{ID: int(df.reqInt32("id")), Addr: df.reqStr("addr")}
		if e := df.finish(); e != nil {
			return nil, e
		}
		if dc.ID <= 0 || !strings.Contains(dc.Addr, ":") {
			return nil, errorf(statusInvalidArgument, "config: dcs[%d] must have a positive id and an addr host:port", i)
		}
		c.DCs = append(c.DCs, dc)
	}
	c.DefaultDC = int(f.int32("default_dc", 0))
	c.TestServers = f.bool("test_servers", false)
	for i, pem := range f.strs("public_keys") {
		k, err := crypto.ParsePublicKeyPEM([]byte(pem))
		if err != nil {
			return nil, errorf(statusInvalidArgument, "config: public_keys[%d]: %v", i, err)
		}
		c.PublicKeys = append(c.PublicKeys, k)
	}
	switch t := f.str("transport", ""); t {
	case "":
	case "abridged":
		c.Transport = transport.Abridged
	case "intermediate":
		c.Transport = transport.Intermediate
	case "padded_intermediate":
		c.Transport = transport.PaddedIntermediate
	case "full":
		c.Transport = transport.Full
	default:
		f.fail("config: transport %q is none of abridged, intermediate, padded_intermediate, full", t)
	}
	c.Obfuscated = f.bool("obfuscated", false)
	c.Proxy = f.str("proxy", "")
	c.MTProxy = f.str("mtproxy", "")
	c.Secret = f.str("secret", "")
	c.PreferIPv6 = f.bool("prefer_ipv6", false)
	if f.has("flood_sleep_threshold") {
		c.FloodSleepThreshold = f.seconds("flood_sleep_threshold", 0)
		if c.FloodSleepThreshold == 0 {
			c.FloodSleepThreshold = -1 // 0 means "never sleep" here, not "default"
		}
	}
	c.RetryLimit = int(f.int32("retry_limit", 0))
	c.DialTimeout = f.seconds("dial_timeout", 0)
	c.PingInterval = f.seconds("ping_interval", 0)
	o.logLevel = parseLogLevel(f, f.str("log_level", "warn"))
	if n := f.int("event_queue_size", defaultQueueSize); n < 1 || n > 1<<24 {
		f.fail("config: event_queue_size must be between 1 and %d", 1<<24)
	} else {
		o.queueSize = int(n)
	}
	o.rawUpdates = f.bool("raw_updates", false)
	switch s := f.value("session").(type) {
	case nil:
	case string:
		if s != ":memory:" {
			if s == "" {
				f.fail("config: session path is empty (use \":memory:\" for no file)")
			}
			o.session.path = s
		}
	case map[string]any:
		sf := newFields("config: session", "key", s)
		o.session.str = sf.str("string", "")
		o.session.telethonString = sf.str("telethon_string", "")
		o.session.pyrogramString = sf.str("pyrogram_string", "")
		if e := sf.finish(); e != nil {
			return nil, e
		}
		if n := btoi(o.session.str != "") + btoi(o.session.telethonString != "") + btoi(o.session.pyrogramString != ""); n != 1 {
			return nil, errorf(statusInvalidArgument, "config: session map must have exactly one of string, telethon_string, pyrogram_string")
		}
	default:
		f.wrongType("session", `":memory:", a path or a map`, s)
	}
	if e := f.finish(); e != nil {
		return nil, e
	}
	return o, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// openSession opens the configured store; owned reports a store the client
// must close.
func (s sessionSpec) open() (session.Store, *Error) {
	switch {
	case s.path != "":
		st, err := session.Open(s.path)
		if err != nil {
			return nil, errorf(statusSession, "session %s: %v", s.path, err)
		}
		return st, nil
	case s.str != "":
		st, err := session.ImportString(s.str)
		if err != nil {
			return nil, errorf(statusSession, "session string: %v", err)
		}
		return st, nil
	case s.telethonString != "":
		st := session.NewMemory()
		if err := session.ImportTelethonString(s.telethonString, st); err != nil {
			return nil, errorf(statusSession, "Telethon session string: %v", err)
		}
		return st, nil
	case s.pyrogramString != "":
		st := session.NewMemory()
		if err := session.ImportPyrogramString(s.pyrogramString, st); err != nil {
			return nil, errorf(statusSession, "Pyrogram session string: %v", err)
		}
		return st, nil
	}
	return session.NewMemory(), nil
}

// Log levels: polygram_log_level.
const (
	logDebug = 0
	logInfo  = 1
	logWarn  = 2
	logError = 3
	logOff   = 4
)

var logLevelNames = []string{"debug", "info", "warn", "error", "off"}

func parseLogLevel(f *fields, s string) int {
	for i, n := range logLevelNames {
		if s == n {
			return i
		}
	}
	f.fail("config: log_level %q is none of %s", s, strings.Join(logLevelNames, ", "))
	return logWarn
}
