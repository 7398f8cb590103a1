package session_test

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polygram/polygram/session"
)

func TestStringSessionRoundTrip(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(kind.name, func(t *testing.T) {
			src := kind.open(t)
			l := sampleLogin()
			writeLogin(t, src, l)
			str, err := session.Export(src)
			must(t, err)
			if str[0] != session.StringVersion || strings.ContainsAny(str, "+/= \n") {
				t.Fatalf("Export = %q: want '1' then unpadded base64url", str)
			}
			m, err := session.ImportString(str)
			must(t, err)
			checkLogin(t, m, l)

			again, err := session.Export(m)
			must(t, err)
			if again != str {
				t.Fatal("export of an imported string differs from the string")
			}
		})
	}
}

func TestStringSessionMinimal(t *testing.T) {
	// Nothing but a key: no self, no options, no main DC.
	src := session.NewMemory()
	must(t, src.SetAuthKey(session.AuthKey{DC: 1, Key: testKey(1)}))
	str, err := session.Export(src)
	must(t, err)
	m, err := session.ImportString(str)
	must(t, err)
	checkLogin(t, m, loginState{keys: []session.AuthKey{{DC: 1, Key: testKey(1)}}})

	// An empty store exports too: it imports as an empty store.
	str, err = session.Export(session.NewMemory())
	must(t, err)
	m, err = session.ImportString(str)
	must(t, err)
	checkLogin(t, m, loginState{})
}

// probeOnly hides the AuthKeyLister of a Memory, as a third-party Store.
type probeOnly struct{ session.Store }

func TestExportProbesStoresWithoutLister(t *testing.T) {
	m := session.NewMemory()
	l := sampleLogin()
	writeLogin(t, m, l)
	must(t, m.SetAuthKey(session.AuthKey{DC: 203, Key: testKey(203)})) // a DC named only by an option
	str, err := session.Export(probeOnly{m})
	must(t, err)
	got, err := session.ImportString(str)
	must(t, err)
	l.keys = append(l.keys, session.AuthKey{DC: 203, Key: testKey(203)})
	checkLogin(t, got, l)
}

func TestCopyKeepsImportedStringInFile(t *testing.T) {
	src := session.NewMemory()
	l := sampleLogin()
	writeLogin(t, src, l)
	must(t, src.SetUpdateState(session.UpdateState{Pts: 5}))
	str, err := session.Export(src)
	must(t, err)
	mem, err := session.ImportString(str)
	must(t, err)

	path := filepath.Join(t.TempDir(), "copy.session")
	file := openSQLite(t, path)
	must(t, file.SetSelf(&session.Self{UserID: 1}))
	must(t, session.Copy(file, mem))
	checkLogin(t, file, l)
	if _, ok, _ := file.UpdateState(); ok {
		t.Fatal("Copy invented an update state")
	}
	must(t, session.Copy(file, src))
	if st, ok, _ := file.UpdateState(); !ok || st.Pts != 5 {
		t.Fatalf("UpdateState after Copy = %+v, %v", st, ok)
	}
}

// payload builds a raw session string around body, with a correct checksum.
func payload(body []byte) string {
	b := binary.BigEndian.AppendUint32(append([]byte(nil), body...), crc32.ChecksumIEEE(body))
	return "1" + base64.RawURLEncoding.EncodeToString(b)
}

func TestImportStringErrors(t *testing.T) {
	src := session.NewMemory()
	writeLogin(t, src, sampleLogin())
	good, err := session.Export(src)
	must(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(good[1:])
	must(t, err)
	body := raw[:len(raw)-4]

	flippedRaw := append([]byte(nil), raw...)
	flippedRaw[100] ^= 1
	flipped := "1" + base64.RawURLEncoding.EncodeToString(flippedRaw)
	cases := map[string]struct {
		s        string
		contains string
	}{
		"empty":            {"   ", "empty"},
		"version":          {"2" + good[1:], "version"},
		"base64":           {"1***", "base64"},
		"too short":        {"1AAA", "too short"},
		"damaged":          {flipped, "checksum"},
		"truncated":        {good[:len(good)-40], "checksum"},
		"unknown flags":    {payload([]byte{0x80, 0, 2, 0}), "unknown flags"},
		"keys missing":     {payload([]byte{0, 0, 2, 3}), "truncated"},
		"trailing bytes":   {payload(append(append([]byte(nil), body...), 0)), "unexpected bytes"},
		"self cut":         {payload([]byte{1, 0, 2, 0, 0, 0}), "truncated"},
		"self bot flag":    {payload([]byte{1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 7}), "bot flag"},
		"self zero user":   {payload([]byte{1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0}), "user id"},
		"no options":       {payload([]byte{2, 0, 2, 0, 0, 0}), "no options"},
		"option flags":     {payload([]byte{2, 0, 2, 0, 0, 1, 0, 2, 0x40, 1, 'x', 1, 187, 0}), "unknown flags"},
		"option port zero": {payload([]byte{2, 0, 2, 0, 0, 1, 0, 2, 0, 1, 'x', 0, 0, 0}), "port"},
		"telethon string":  {telethonString(2, netip.MustParseAddr("1.2.3.4"), 443, testKey(2), true), "ImportTelethonString"},
		"pyrogram string":  {pyrogramString(2, 1, false, testKey(2), 5, false), "ImportPyrogramString"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := session.ImportString(c.s)
			wantErr(t, err, session.ErrBadString)
			if m != nil {
				t.Fatal("a store came back with an error")
			}
			if !strings.Contains(err.Error(), c.contains) {
				t.Fatalf("error %q does not mention %q", err, c.contains)
			}
		})
	}
}

func TestImportStringRefusesDuplicateKeys(t *testing.T) {
	rec := func(dc byte) []byte {
		b := append([]byte{0, dc}, testKey(dc)...)
		return append(b, make([]byte, 24)...)
	}
	body := append([]byte{0, 0, 1, 2}, rec(1)...)
	body = append(body, rec(1)...)
	_, err := session.ImportString(payload(body))
	wantErr(t, err, session.ErrBadString)
	if !strings.Contains(err.Error(), "two auth keys") {
		t.Fatalf("error = %v", err)
	}
}

func TestExportRefusesWhatDoesNotFit(t *testing.T) {
	m := session.NewMemory()
	must(t, m.SetAuthKey(session.AuthKey{DC: 70000, Key: testKey(1)}))
	_, err := session.Export(m)
	wantErr(t, err, session.ErrInvalid)
}

// FuzzImportString checks that no input panics, and that whatever is
// accepted exports back to the same string. Seeds are in
// testdata/fuzz/FuzzImportString.
func FuzzImportString(f *testing.F) {
	src := session.NewMemory()
	writeLogin(f, src, sampleLogin())
	if s, err := session.Export(src); err == nil {
		f.Add(s)
	}
	f.Add("1")
	f.Add(payload([]byte{3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 1, 0, 1, 0, 2, 0, 7, '1', '.', '2', '.', '3', '.', '4', 1, 187, 0}))
	f.Fuzz(func(t *testing.T, s string) {
		m, err := session.ImportString(s)
		if err != nil {
			if m != nil {
				t.Fatal("store and error together")
			}
			return
		}
		out, err := session.Export(m)
		if err != nil {
			t.Fatalf("Export of an accepted string: %v", err)
		}
		back, err := session.ImportString(out)
		if err != nil {
			t.Fatalf("re-import: %v", err)
		}
		again, err := session.Export(back)
		if err != nil || again != out {
			t.Fatalf("export is not stable: %v", err)
		}
	})
}

// TestStringFormatExample pins the example in FORMAT.md.
func TestStringFormatExample(t *testing.T) {
	m := session.NewMemory()
	must(t, m.SetMainDC(2))
	s, err := session.Export(m)
	must(t, err)
	if s != "1AAACABNyvZ4" {
		t.Fatalf("Export = %q, FORMAT.md says 1AAACABNyvZ4", s)
	}
	must(t, m.SetAuthKey(session.AuthKey{DC: 2, Key: testKey(2)}))
	if s, _ := session.Export(m); len(s) != 388 {
		t.Fatalf("with one key the string has %d characters, FORMAT.md says 388", len(s))
	}
}
