package main

import (
	"strings"
	"unicode"
)

// initialisms are words written in upper case in Go identifiers.
var initialisms = map[string]string{
	"id": "ID", "ids": "IDs", "dc": "DC", "url": "URL", "urls": "URLs", "json": "JSON", "api": "API",
	"ip": "IP", "ttl": "TTL", "http": "HTTP", "srp": "SRP", "sms": "SMS", "pq": "PQ",
	"rpc": "RPC", "dh": "DH", "md5": "MD5", "cdn": "CDN", "ipv4": "IPv4", "ipv6": "IPv6",
	"mime": "MIME", "uri": "URI", "gif": "GIF", "utc": "UTC",
}

// splitWords splits a schema identifier at '_', '.' and lower→upper case
// boundaries.
func splitWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '_' || r == '.':
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// goName converts a schema identifier into an exported Go identifier.
func goName(s string) string {
	var b strings.Builder
	for _, w := range splitWords(s) {
		if in, ok := initialisms[strings.ToLower(w)]; ok {
			b.WriteString(in)
			continue
		}
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	out := b.String()
	if out == "" || unicode.IsDigit([]rune(out)[0]) {
		out = "X" + out
	}
	return out
}

// reservedFieldNames are method names of generated types.
var reservedFieldNames = map[string]bool{
	"TypeID": true, "TypeName": true, "EncodeBare": true, "DecodeBare": true,
	"IsNil": true, "DecodeResult": true, "String": true,
}

// fieldName returns the Go field name for a schema parameter.
func fieldName(s string) string {
	n := goName(s)
	if reservedFieldNames[n] {
		n += "_"
	}
	return n
}
