// Package parse converts between formatted text (Markdown or HTML, as users
// write it) and Telegram's plain text plus message entities, in both
// directions. Entity offsets and lengths are in UTF-16 code units, as
// Telegram requires, so emoji and other astral characters count as two.
package parse

import (
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/polygram/polygram/tl/api"
)

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int32 {
	var n int32
	for _, r := range s {
		n += int32(utf16.RuneLen(r))
	}
	return n
}

// builder accumulates plain text and tracks its UTF-16 length.
type builder struct {
	b   strings.Builder
	pos int32
}

func (w *builder) WriteString(s string) {
	w.b.WriteString(s)
	w.pos += utf16Len(s)
}

func (w *builder) WriteRune(r rune) {
	w.b.WriteRune(r)
	w.pos += int32(utf16.RuneLen(r))
}

// entityBounds returns an entity's offset and length.
func entityBounds(e api.MessageEntityClass) (int32, int32) {
	switch x := e.(type) {
	case *api.MessageEntityBold:
		return x.Offset, x.Length
	case *api.MessageEntityItalic:
		return x.Offset, x.Length
	case *api.MessageEntityUnderline:
		return x.Offset, x.Length
	case *api.MessageEntityStrike:
		return x.Offset, x.Length
	case *api.MessageEntitySpoiler:
		return x.Offset, x.Length
	case *api.MessageEntityCode:
		return x.Offset, x.Length
	case *api.MessageEntityPre:
		return x.Offset, x.Length
	case *api.MessageEntityTextURL:
		return x.Offset, x.Length
	case *api.MessageEntityMentionName:
		return x.Offset, x.Length
	case *api.MessageEntityBlockquote:
		return x.Offset, x.Length
	case *api.MessageEntityCustomEmoji:
		return x.Offset, x.Length
	}
	return -1, 0
}

// insertion is markup placed at a UTF-16 position when formatting text.
type insertion struct {
	pos   int32
	open  bool
	order int // entity index, for stable nesting
	span  int32
	code  bool // opens or closes code, whose content is escaped differently
	text  string
}

// insertions collects the markup of entities.
type insertions []insertion

// add records an entity's opening and closing markup.
func (ins *insertions) add(i int, e api.MessageEntityClass, open, close string, code bool) {
	off, n := entityBounds(e)
	*ins = append(*ins, insertion{pos: off, open: true, order: i, span: n, text: open, code: code},
		insertion{pos: off + n, open: false, order: i, span: n, text: close, code: code})
}

// render inserts markup into text at UTF-16 positions; escape escapes plain
// text segments (inCode tells whether they are inside code or pre).
func render(text string, ins insertions, escape func(s string, inCode bool) string) string {
	sort.SliceStable(ins, func(i, j int) bool {
		a, b := ins[i], ins[j]
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		if a.open != b.open {
			return !a.open // closings first at the same position
		}
		if a.open {
			if a.span != b.span {
				return a.span > b.span // the outer entity opens first
			}
			return a.order < b.order
		}
		if a.span != b.span {
			return a.span < b.span // the inner entity closes first
		}
		return a.order > b.order
	})
	var out, seg strings.Builder
	var pos int32
	code := 0
	k := 0
	flush := func() {
		if seg.Len() > 0 {
			out.WriteString(escape(seg.String(), code > 0))
			seg.Reset()
		}
	}
	emit := func(upto int32) {
		for k < len(ins) && ins[k].pos <= upto {
			flush()
			out.WriteString(ins[k].text)
			if ins[k].code {
				if ins[k].open {
					code++
				} else {
					code--
				}
			}
			k++
		}
	}
	for _, r := range text {
		emit(pos)
		seg.WriteRune(r)
		pos += int32(utf16.RuneLen(r))
	}
	emit(pos)
	flush()
	for ; k < len(ins); k++ {
		out.WriteString(ins[k].text)
	}
	return out.String()
}
