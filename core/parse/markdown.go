package parse

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

// Markdown syntax (as Telethon and Pyrogram users write it):
//
//	**bold**  __italic__  ~~strike~~  ||spoiler||  `code`
//	```lang
//	pre```    [text](https://url)    [name](tg://user?id=123)
//
// A backslash escapes any of \ * _ ~ | [ ] ` so it is taken literally.
// Underline, blockquotes and custom emoji have no Markdown form (use HTML).

const mdSpecial = "\\*_~|[]`"

var mdPairs = []struct {
	delim string
	kind  string
}{{"**", "bold"}, {"__", "italic"}, {"~~", "strike"}, {"||", "spoiler"}}

// ParseMarkdown returns the plain text and entities of Markdown text.
// Unmatched delimiters are kept as text.
func ParseMarkdown(s string) (string, []api.MessageEntityClass) {
	var w builder
	var ents []api.MessageEntityClass
	open := map[string]int32{} // kind → start offset
	var links []int32          // starts of pending [link text
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(mdSpecial, s[i+1]) >= 0:
			w.WriteString(s[i+1 : i+2])
			i += 2
			continue
		case strings.HasPrefix(s[i:], "```"):
			if end := indexUnescapedStr(s[i+3:], "```"); end >= 0 {
				body := s[i+3 : i+3+end]
				lang := ""
				if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.ContainsFunc(body[:nl], unicode.IsSpace) {
					lang, body = body[:nl], body[nl+1:]
				}
				start := w.pos
				w.WriteString(unescapeCode(body))
				if w.pos > start {
					ents = append(ents, &api.MessageEntityPre{Offset: start, Length: w.pos - start, Language: lang})
				}
				i += 3 + end + 3
				continue
			}
		case c == '`':
			if end := indexUnescaped(s[i+1:], '`'); end >= 0 {
				start := w.pos
				w.WriteString(unescapeCode(s[i+1 : i+1+end]))
				if w.pos > start {
					ents = append(ents, &api.MessageEntityCode{Offset: start, Length: w.pos - start})
				}
				i += 1 + end + 1
				continue
			}
		case c == '[':
			if strings.Contains(s[i+1:], "](") {
				links = append(links, w.pos)
				i++
				continue
			}
		case c == ']' && len(links) > 0 && strings.HasPrefix(s[i:], "]("):
			if end := strings.IndexByte(s[i+2:], ')'); end >= 0 {
				url := s[i+2 : i+2+end]
				start := links[len(links)-1]
				links = links[:len(links)-1]
				if w.pos > start {
					ents = append(ents, linkEntity(start, w.pos-start, url))
				}
				i += 2 + end + 1
				continue
			}
		}
		matched := false
		for _, p := range mdPairs {
			if !strings.HasPrefix(s[i:], p.delim) {
				continue
			}
			if start, ok := open[p.kind]; ok {
				delete(open, p.kind)
				if w.pos > start {
					ents = append(ents, simpleEntity(p.kind, start, w.pos-start))
				}
				i += len(p.delim)
				matched = true
			} else if indexUnescapedStr(s[i+len(p.delim):], p.delim) >= 0 {
				open[p.kind] = w.pos
				i += len(p.delim)
				matched = true
			}
			break
		}
		if matched {
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		w.WriteRune(r)
		i += size
	}
	sortEntities(ents)
	return w.b.String(), ents
}

func indexUnescaped(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			continue
		}
		if s[i] == c {
			return i
		}
	}
	return -1
}

func indexUnescapedStr(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], sub) {
			return i
		}
	}
	return -1
}

// unescapeCode undoes the escapes Markdown code may carry (\` and \\).
func unescapeCode(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '`' || s[i+1] == '\\') {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func linkEntity(off, n int32, url string) api.MessageEntityClass {
	if rest, ok := strings.CutPrefix(url, "tg://user?id="); ok {
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
			return &api.MessageEntityMentionName{Offset: off, Length: n, UserID: id}
		}
	}
	return &api.MessageEntityTextURL{Offset: off, Length: n, URL: url}
}

func simpleEntity(kind string, off, n int32) api.MessageEntityClass {
	switch kind {
	case "bold":
		return &api.MessageEntityBold{Offset: off, Length: n}
	case "italic":
		return &api.MessageEntityItalic{Offset: off, Length: n}
	case "strike":
		return &api.MessageEntityStrike{Offset: off, Length: n}
	case "spoiler":
		return &api.MessageEntitySpoiler{Offset: off, Length: n}
	case "underline":
		return &api.MessageEntityUnderline{Offset: off, Length: n}
	case "code":
		return &api.MessageEntityCode{Offset: off, Length: n}
	case "blockquote":
		return &api.MessageEntityBlockquote{Offset: off, Length: n}
	}
	return nil
}

func sortEntities(ents []api.MessageEntityClass) {
	sort.SliceStable(ents, func(i, j int) bool {
		oi, li := entityBounds(ents[i])
		oj, lj := entityBounds(ents[j])
		if oi != oj {
			return oi < oj
		}
		if li != lj {
			return li > lj
		}
		return tl.Name(ents[i]) < tl.Name(ents[j])
	})
}

// UnparseMarkdown renders text and entities as Markdown that ParseMarkdown
// turns back into the same text and entities. Entities without a Markdown
// form (underline, blockquote, custom emoji) are dropped.
func UnparseMarkdown(text string, ents []api.MessageEntityClass) string {
	var ins insertions
	add := ins.add
	for i, e := range ents {
		switch x := e.(type) {
		case *api.MessageEntityBold:
			add(i, e, "**", "**", false)
		case *api.MessageEntityItalic:
			add(i, e, "__", "__", false)
		case *api.MessageEntityStrike:
			add(i, e, "~~", "~~", false)
		case *api.MessageEntitySpoiler:
			add(i, e, "||", "||", false)
		case *api.MessageEntityCode:
			add(i, e, "`", "`", true)
		case *api.MessageEntityPre:
			add(i, e, "```"+x.Language+"\n", "```", true)
		case *api.MessageEntityTextURL:
			add(i, e, "[", "]("+x.URL+")", false)
		case *api.MessageEntityMentionName:
			add(i, e, "[", "](tg://user?id="+strconv.FormatInt(x.UserID, 10)+")", false)
		}
	}
	return render(text, ins, escapeMarkdown)
}

func escapeMarkdown(s string, inCode bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inCode {
			if c == '`' || c == '\\' {
				b.WriteByte('\\')
			}
		} else if strings.IndexByte(mdSpecial, c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}
