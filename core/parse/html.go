package parse

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/polygram/polygram/tl/api"
)

// HTML syntax (Telegram's Bot API flavour): <b> <strong>, <i> <em>, <u> <ins>,
// <s> <strike> <del>, <tg-spoiler> or <span class="tg-spoiler">, <code>,
// <pre> and <pre><code class="language-go">, <a href="…"> (tg://user?id=…
// makes a mention), <blockquote>, <tg-emoji emoji-id="…">, <br>; the
// entities &lt; &gt; &amp; &quot; &#39; and numeric ones. Unknown tags are
// dropped and their content kept.

type openTag struct {
	name  string
	start int32
	attrs map[string]string
}

// ParseHTML returns the plain text and entities of HTML text.
func ParseHTML(s string) (string, []api.MessageEntityClass) {
	var w builder
	var ents []api.MessageEntityClass
	var stack []openTag
	i := 0
	for i < len(s) {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				w.WriteString(s[i:])
				i = len(s)
				continue
			}
			tag := s[i+1 : i+end]
			i += end + 1
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				for k := len(stack) - 1; k >= 0; k-- {
					if stack[k].name != name {
						continue
					}
					t := stack[k]
					stack = append(stack[:k], stack[k+1:]...)
					if e := htmlEntity(t, w.pos, stack); e != nil {
						ents = append(ents, e)
					}
					break
				}
				continue
			}
			name, attrs := parseTag(strings.TrimSuffix(tag, "/"))
			if name == "br" {
				w.WriteString("\n")
				continue
			}
			if strings.HasSuffix(tag, "/") {
				continue
			}
			stack = append(stack, openTag{name: name, start: w.pos, attrs: attrs})
		case '&':
			if r, n := decodeEntity(s[i:]); n > 0 {
				w.WriteRune(r)
				i += n
				continue
			}
			w.WriteString("&")
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			w.WriteRune(r)
			i += size
		}
	}
	// A pre's language comes from an inner <code class="language-…">.
	sortEntities(ents)
	return w.b.String(), mergePreCode(ents)
}

// parseTag splits `a href="x"` into the name and attributes.
func parseTag(tag string) (string, map[string]string) {
	tag = strings.TrimSpace(tag)
	name := tag
	rest := ""
	if k := strings.IndexAny(tag, " \t\n"); k >= 0 {
		name, rest = tag[:k], tag[k:]
	}
	attrs := map[string]string{}
	for {
		rest = strings.TrimLeft(rest, " \t\n")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			attrs[strings.ToLower(rest)] = ""
			break
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimLeft(rest[eq+1:], " ")
		var val string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			q := rest[0]
			end := strings.IndexByte(rest[1:], q)
			if end < 0 {
				val, rest = rest[1:], ""
			} else {
				val, rest = rest[1:1+end], rest[2+end:]
			}
		} else {
			end := strings.IndexAny(rest, " \t\n")
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		attrs[key] = unescapeHTML(val)
	}
	return strings.ToLower(name), attrs
}

func unescapeHTML(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if r, n := decodeEntity(s[i:]); n > 0 {
				b.WriteRune(r)
				i += n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// decodeEntity decodes an HTML character reference at the start of s.
func decodeEntity(s string) (rune, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return 0, 0
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	case "nbsp":
		return '\u00a0', end + 1
	}
	if strings.HasPrefix(name, "#") {
		var v uint64
		var err error
		if strings.HasPrefix(name, "#x") || strings.HasPrefix(name, "#X") {
			v, err = strconv.ParseUint(name[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(name[1:], 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(v)) {
			return rune(v), end + 1
		}
	}
	return 0, 0
}

func htmlEntity(t openTag, end int32, outer []openTag) api.MessageEntityClass {
	n := end - t.start
	if n <= 0 {
		return nil
	}
	switch t.name {
	case "b", "strong":
		return simpleEntity("bold", t.start, n)
	case "i", "em":
		return simpleEntity("italic", t.start, n)
	case "u", "ins":
		return simpleEntity("underline", t.start, n)
	case "s", "strike", "del":
		return simpleEntity("strike", t.start, n)
	case "tg-spoiler":
		return simpleEntity("spoiler", t.start, n)
	case "span":
		if t.attrs["class"] == "tg-spoiler" {
			return simpleEntity("spoiler", t.start, n)
		}
	case "blockquote":
		return simpleEntity("blockquote", t.start, n)
	case "code":
		lang := strings.TrimPrefix(t.attrs["class"], "language-")
		if len(outer) > 0 && outer[len(outer)-1].name == "pre" {
			// Marks the pre's language; merged by mergePreCode.
			return &api.MessageEntityPre{Offset: t.start, Length: -n, Language: lang}
		}
		return simpleEntity("code", t.start, n)
	case "pre":
		return &api.MessageEntityPre{Offset: t.start, Length: n}
	case "a":
		if href, ok := t.attrs["href"]; ok {
			return linkEntity(t.start, n, href)
		}
	case "tg-emoji":
		if id, err := strconv.ParseInt(t.attrs["emoji-id"], 10, 64); err == nil {
			return &api.MessageEntityCustomEmoji{Offset: t.start, Length: n, DocumentID: id}
		}
	}
	return nil
}

// mergePreCode folds <pre><code class="language-x"> into the pre entity.
func mergePreCode(ents []api.MessageEntityClass) []api.MessageEntityClass {
	out := ents[:0]
	var marks []*api.MessageEntityPre
	for _, e := range ents {
		if p, ok := e.(*api.MessageEntityPre); ok && p.Length < 0 {
			marks = append(marks, p)
			continue
		}
		out = append(out, e)
	}
	for _, m := range marks {
		for _, e := range out {
			if p, ok := e.(*api.MessageEntityPre); ok && p.Offset <= m.Offset && m.Offset-m.Length <= p.Offset+p.Length {
				p.Language = m.Language
			}
		}
	}
	return out
}

// UnparseHTML renders text and entities as HTML that ParseHTML turns back
// into the same text and entities.
func UnparseHTML(text string, ents []api.MessageEntityClass) string {
	var ins insertions
	add := ins.add
	for i, e := range ents {
		switch x := e.(type) {
		case *api.MessageEntityBold:
			add(i, e, "<b>", "</b>", false)
		case *api.MessageEntityItalic:
			add(i, e, "<i>", "</i>", false)
		case *api.MessageEntityUnderline:
			add(i, e, "<u>", "</u>", false)
		case *api.MessageEntityStrike:
			add(i, e, "<s>", "</s>", false)
		case *api.MessageEntitySpoiler:
			add(i, e, "<tg-spoiler>", "</tg-spoiler>", false)
		case *api.MessageEntityBlockquote:
			add(i, e, "<blockquote>", "</blockquote>", false)
		case *api.MessageEntityCode:
			add(i, e, "<code>", "</code>", true)
		case *api.MessageEntityPre:
			if x.Language != "" {
				add(i, e, `<pre><code class="language-`+escapeHTML(x.Language, true)+`">`, "</code></pre>", true)
			} else {
				add(i, e, "<pre>", "</pre>", true)
			}
		case *api.MessageEntityTextURL:
			add(i, e, `<a href="`+escapeHTML(x.URL, true)+`">`, "</a>", false)
		case *api.MessageEntityMentionName:
			add(i, e, `<a href="tg://user?id=`+strconv.FormatInt(x.UserID, 10)+`">`, "</a>", false)
		case *api.MessageEntityCustomEmoji:
			add(i, e, `<tg-emoji emoji-id="`+strconv.FormatInt(x.DocumentID, 10)+`">`, "</tg-emoji>", false)
		}
	}
	return render(text, ins, func(s string, _ bool) string { return escapeHTML(s, false) })
}

func escapeHTML(s string, attr bool) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	if attr {
		r = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	}
	return r.Replace(s)
}
