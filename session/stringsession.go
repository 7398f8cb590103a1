package session

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"sort"
	"strings"
	"time"
)

// StringVersion is the version character that starts every session string
// [Export] writes. See FORMAT.md (or the package documentation) for the
// layout it announces.
const StringVersion = '1'

const (
	flagSelf      = 1 << 0
	flagDCOptions = 1 << 1
	knownFlags    = flagSelf | flagDCOptions

	optIPv6         = 1 << 0
	optMediaOnly    = 1 << 1
	optCDN          = 1 << 2
	optTCPOOnly     = 1 << 3
	optStatic       = 1 << 4
	optThisPortOnly = 1 << 5
	knownOptFlags   = optIPv6 | optMediaOnly | optCDN | optTCPOOnly | optStatic | optThisPortOnly

	keyRecordSize = 2 + AuthKeySize + 8 + 8 + 8
)

// Export writes the login state of s as a portable session string: the main
// DC, every DC's auth key (with its salt, time offset and creation time),
// the logged-in user and the DC options. Peers and update state are not
// included: a client rebuilds them from the server.
//
// The string is a secret: whoever holds it is logged in as the account.
func Export(s Store) (string, error) {
	mainDC, err := s.MainDC()
	if err != nil {
		return "", err
	}
	opts, err := s.DCOptions()
	if err != nil {
		return "", err
	}
	keys, err := exportKeys(s, mainDC, opts)
	if err != nil {
		return "", err
	}
	me, err := s.Self()
	if err != nil {
		return "", err
	}

	if mainDC > math.MaxUint16 {
		return "", invalid("main DC %d does not fit a session string", mainDC)
	}
	if len(keys) > math.MaxUint8 {
		return "", invalid("%d auth keys do not fit a session string (at most 255)", len(keys))
	}
	if len(opts) > math.MaxUint16 {
		return "", invalid("%d DC options do not fit a session string", len(opts))
	}
	var flags byte
	if me != nil {
		flags |= flagSelf
	}
	if len(opts) > 0 {
		flags |= flagDCOptions
	}
	b := make([]byte, 0, 4+len(keys)*keyRecordSize+11+len(opts)*32+4)
	b = append(b, flags)
	b = binary.BigEndian.AppendUint16(b, uint16(mainDC))
	b = append(b, byte(len(keys)))
	for _, k := range keys {
		if k.DC <= 0 || k.DC > math.MaxUint16 {
			return "", invalid("auth key DC %d does not fit a session string", k.DC)
		}
		if len(k.Key) != AuthKeySize {
			return "", invalid("auth key for DC %d is %d bytes, want %d", k.DC, len(k.Key), AuthKeySize)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(k.DC))
		b = append(b, k.Key...)
		b = binary.BigEndian.AppendUint64(b, uint64(k.Salt))
		b = binary.BigEndian.AppendUint64(b, uint64(k.TimeOffset))
		b = binary.BigEndian.AppendUint64(b, uint64(unixNano(k.CreatedAt)))
	}
	if me != nil {
		if me.DC < 0 || me.DC > math.MaxUint16 {
			return "", invalid("self DC %d does not fit a session string", me.DC)
		}
		b = binary.BigEndian.AppendUint64(b, uint64(me.UserID))
		b = binary.BigEndian.AppendUint16(b, uint16(me.DC))
		b = append(b, boolByte(me.Bot))
	}
	if len(opts) > 0 {
		b = binary.BigEndian.AppendUint16(b, uint16(len(opts)))
		for _, o := range opts {
			if o.ID <= 0 || o.ID > math.MaxUint16 || o.Port <= 0 || o.Port > math.MaxUint16 {
				return "", invalid("DC option (DC %d, port %d) does not fit a session string", o.ID, o.Port)
			}
			if len(o.IP) > math.MaxUint8 || len(o.Secret) > math.MaxUint8 {
				return "", invalid("DC option for DC %d: address or secret longer than 255 bytes", o.ID)
			}
			f := boolByte(o.IPv6)*optIPv6 | boolByte(o.MediaOnly)*optMediaOnly | boolByte(o.CDN)*optCDN |
				boolByte(o.TCPOOnly)*optTCPOOnly | boolByte(o.Static)*optStatic | boolByte(o.ThisPortOnly)*optThisPortOnly
			b = binary.BigEndian.AppendUint16(b, uint16(o.ID))
			b = append(b, f)
			b = append(b, byte(len(o.IP)))
			b = append(b, o.IP...)
			b = binary.BigEndian.AppendUint16(b, uint16(o.Port))
			b = append(b, byte(len(o.Secret)))
			b = append(b, o.Secret...)
		}
	}
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return string(StringVersion) + base64.RawURLEncoding.EncodeToString(b), nil
}

// exportKeys lists every auth key of s: through AuthKeyLister when s has it,
// else by probing the DCs s names and the production DCs 1–5.
func exportKeys(s Store, mainDC int, opts []DCOption) ([]AuthKey, error) {
	if l, ok := s.(AuthKeyLister); ok {
		return l.AuthKeys()
	}
	dcs := map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}
	if mainDC > 0 {
		dcs[mainDC] = true
	}
	if me, err := s.Self(); err == nil && me != nil && me.DC > 0 {
		dcs[me.DC] = true
	}
	for _, o := range opts {
		dcs[o.ID] = true
	}
	ids := make([]int, 0, len(dcs))
	for dc := range dcs {
		ids = append(ids, dc)
	}
	sort.Ints(ids)
	var keys []AuthKey
	for _, dc := range ids {
		k, err := s.AuthKey(dc)
		if err != nil {
			return nil, err
		}
		if k != nil {
			keys = append(keys, *k)
		}
	}
	return keys, nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// ImportString reads a session string written by [Export] into a new
// in-memory store. Surrounding white space is ignored. Every malformed
// input gives an error wrapping [ErrBadString] that says what is wrong
// (never the string itself, which is a secret).
//
// To keep the session in a file, copy the result into an SQLite store with
// [Copy].
func ImportString(str string) (*Memory, error) {
	str = strings.TrimSpace(str)
	if str == "" {
		return nil, badString("empty string")
	}
	if str[0] != StringVersion {
		return nil, badString("unknown format version %q (this Polygram reads %q)%s",
			str[:1], string(StringVersion), foreignHint(str))
	}
	data, err := decodeBase64(str[1:])
	if err != nil {
		return nil, badString("not base64url: %v%s", err, foreignHint(str))
	}
	if len(data) < 4 {
		return nil, badString("too short (%d bytes)", len(data))
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, badString("checksum mismatch: the string is damaged or truncated%s", foreignHint(str))
	}
	m, err := decodeSession(body)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func decodeSession(body []byte) (*Memory, error) {
	r := reader{b: body}
	flags := r.u8("flags")
	mainDC := int(r.u16("main DC"))
	nkeys := int(r.u8("key count"))
	if r.err != nil {
		return nil, r.err
	}
	if flags&^knownFlags != 0 {
		return nil, badString("unknown flags %#02x", flags&^knownFlags)
	}
	if r.left() < nkeys*keyRecordSize {
		return nil, badString("truncated: %d auth keys need %d bytes, %d left", nkeys, nkeys*keyRecordSize, r.left())
	}
	m := NewMemory()
	for i := 0; i < nkeys; i++ {
		k := AuthKey{DC: int(r.u16("key DC"))}
		k.Key = append([]byte(nil), r.bytes(AuthKeySize, "auth key")...)
		k.Salt = int64(r.u64("salt"))
		k.TimeOffset = time.Duration(r.u64("time offset"))
		k.CreatedAt = fromUnixNano(int64(r.u64("created at")))
		if r.err != nil {
			return nil, r.err
		}
		if k.DC == 0 {
			return nil, badString("auth key %d has DC 0", i)
		}
		if _, dup := m.keys[k.DC]; dup {
			return nil, badString("two auth keys for DC %d", k.DC)
		}
		m.keys[k.DC] = k
	}
	m.mainDC = mainDC
	if flags&flagSelf != 0 {
		me := Self{UserID: int64(r.u64("self user id")), DC: int(r.u16("self DC"))}
		bot := r.u8("self bot flag")
		if r.err != nil {
			return nil, r.err
		}
		if bot > 1 {
			return nil, badString("self bot flag is %d, want 0 or 1", bot)
		}
		me.Bot = bot == 1
		if err := validateSelf(&me); err != nil {
			return nil, badString("%v", err)
		}
		m.self = &me
	}
	if flags&flagDCOptions != 0 {
		n := int(r.u16("DC option count"))
		if r.err != nil {
			return nil, r.err
		}
		if n == 0 {
			return nil, badString("DC option flag set with no options")
		}
		for i := 0; i < n && r.err == nil; i++ {
			o := DCOption{ID: int(r.u16("DC option id"))}
			f := r.u8("DC option flags")
			o.IP = string(r.bytes(int(r.u8("DC option address length")), "DC option address"))
			o.Port = int(r.u16("DC option port"))
			if secret := r.bytes(int(r.u8("DC option secret length")), "DC option secret"); len(secret) > 0 {
				o.Secret = append([]byte(nil), secret...)
			}
			if r.err != nil {
				break
			}
			if f&^knownOptFlags != 0 {
				return nil, badString("DC option %d: unknown flags %#02x", i, f&^knownOptFlags)
			}
			o.IPv6, o.MediaOnly, o.CDN = f&optIPv6 != 0, f&optMediaOnly != 0, f&optCDN != 0
			o.TCPOOnly, o.Static, o.ThisPortOnly = f&optTCPOOnly != 0, f&optStatic != 0, f&optThisPortOnly != 0
			m.options = append(m.options, o)
		}
		if r.err != nil {
			return nil, r.err
		}
		if err := validateDCOptions(m.options); err != nil {
			return nil, badString("%v", err)
		}
	}
	if r.left() != 0 {
		return nil, badString("%d unexpected bytes after the last field", r.left())
	}
	return m, nil
}

func badString(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadString, fmt.Sprintf(format, args...))
}

// foreignHint names the importer for a string that looks like another
// library's session string.
func foreignHint(s string) string {
	data, err := decodeBase64(strings.TrimPrefix(s, "1"))
	switch {
	case err == nil && s[0] == '1' && (len(data) == telethonIPv4Size || len(data) == telethonIPv6Size):
		return "; it looks like a Telethon string session: use ImportTelethonString"
	}
	if data, err := decodeBase64(s); err == nil {
		switch len(data) {
		case pyrogramSize, pyrogramOldSize, pyrogramOld64Size:
			return "; it looks like a Pyrogram session string: use ImportPyrogramString"
		}
	}
	return ""
}

// decodeBase64 accepts the URL-safe or the standard alphabet, with or
// without padding (other libraries write all four forms).
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// reader reads big-endian fields and remembers the first short read.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) left() int { return len(r.b) - r.off }

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || r.left() < n {
		r.err = badString("truncated at %s (offset %d: need %d bytes, %d left)", what, r.off, n, r.left())
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) u8(what string) uint8 {
	if b := r.bytes(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16(what string) uint16 {
	if b := r.bytes(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if b := r.bytes(4, what); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64(what string) uint64 {
	if b := r.bytes(8, what); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}
