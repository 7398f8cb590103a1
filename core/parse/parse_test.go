package parse

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func describe(ents []api.MessageEntityClass) string {
	var parts []string
	for _, e := range ents {
		off, n := entityBounds(e)
		extra := ""
		switch x := e.(type) {
		case *api.MessageEntityPre:
			extra = "(" + x.Language + ")"
		case *api.MessageEntityTextURL:
			extra = "(" + x.URL + ")"
		case *api.MessageEntityMentionName:
			extra = fmt.Sprintf("(%d)", x.UserID)
		case *api.MessageEntityCustomEmoji:
			extra = fmt.Sprintf("(%d)", x.DocumentID)
		}
		parts = append(parts, fmt.Sprintf("%s%s@%d+%d", strings.TrimPrefix(tl.Name(e), "messageEntity"), extra, off, n))
	}
	return strings.Join(parts, " ")
}

func TestMarkdown(t *testing.T) {
	cases := []struct{ in, text, ents string }{
		{"**bold** and __it__", "bold and it", "Bold@0+4 Italic@9+2"},
		{"hi 👋 **there**", "hi 👋 there", "Bold@6+5"}, // the emoji is two UTF-16 units
		{"𝕏 ~~gone~~ ||secret||", "𝕏 gone secret", "Strike@3+4 Spoiler@8+6"},
		{"`a*b` and ```go\nfmt.Println()```", "a*b and fmt.Println()", "Code@0+3 Pre(go)@8+13"},
		{"[site](https://x.org) [Ann](tg://user?id=42)", "site Ann", "TextUrl(https://x.org)@0+4 MentionName(42)@5+3"},
		{"**outer __inner__ more**", "outer inner more", "Bold@0+16 Italic@6+5"},
		{`not \*\*bold\*\* 2*3`, "not **bold** 2*3", ""},
		{"**unclosed", "**unclosed", ""},
		{"[not a link]", "[not a link]", ""},
	}
	for _, c := range cases {
		text, ents := ParseMarkdown(c.in)
		if text != c.text || describe(ents) != c.ents {
			t.Errorf("%q:\n got %q [%s]\nwant %q [%s]", c.in, text, describe(ents), c.text, c.ents)
		}
	}
}

func TestHTML(t *testing.T) {
	cases := []struct{ in, text, ents string }{
		{"<b>bold</b> <i>it</i> <u>u</u> <s>s</s>", "bold it u s", "Bold@0+4 Italic@5+2 Underline@8+1 Strike@10+1"},
		{"👍<strong>x</strong>&amp;&lt;&gt;&#x1F600;", "👍x&<>😀", "Bold@2+1"},
		{`<pre><code class="language-go">x := 1</code></pre>`, "x := 1", "Pre(go)@0+6"},
		{`<a href="https://a.b/?q=1&amp;r=2">l</a><a href="tg://user?id=7">m</a>`, "lm", "TextUrl(https://a.b/?q=1&r=2)@0+1 MentionName(7)@1+1"},
		{`<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span><blockquote>q</blockquote>`, "stq", "Spoiler@0+1 Spoiler@1+1 Blockquote@2+1"},
		{`a<br>b<unknown>c</unknown><tg-emoji emoji-id="5">🙂</tg-emoji>`, "a\nbc🙂", "CustomEmoji(5)@4+2"},
		{"<b>crossing <i>tags</b> here</i>", "crossing tags here", "Bold@0+13 Italic@9+9"},
	}
	for _, c := range cases {
		text, ents := ParseHTML(c.in)
		if text != c.text || describe(ents) != c.ents {
			t.Errorf("%q:\n got %q [%s]\nwant %q [%s]", c.in, text, describe(ents), c.text, c.ents)
		}
	}
}

var alphabet = []string{"a", "b", " ", "*", "_", "~", "|", "[", "]", "`", "\\", "<", ">", "&", "é", "👋", "𝕏", "\n", "(", ")"}

// randomCase makes random text and entities on rune boundaries.
func randomCase(r *rand.Rand, html bool) (string, []api.MessageEntityClass) {
	var runes []string
	for n := 1 + r.IntN(20); n > 0; n-- {
		runes = append(runes, alphabet[r.IntN(len(alphabet))])
	}
	text := strings.Join(runes, "")
	bounds := make([]int32, len(runes)+1)
	for i, s := range runes {
		bounds[i+1] = bounds[i] + utf16Len(s)
	}
	var ents []api.MessageEntityClass
	used := map[string]bool{}
	for n := r.IntN(4); n > 0; n-- {
		a := r.IntN(len(runes))
		b := a + 1 + r.IntN(len(runes)-a)
		off, ln := bounds[a], bounds[b]-bounds[a]
		kinds := []string{"bold", "italic", "strike", "spoiler", "link", "mention"}
		if html {
			kinds = append(kinds, "underline", "blockquote")
		}
		k := kinds[r.IntN(len(kinds))]
		if used[k] {
			continue // one entity of a kind keeps markdown toggles unambiguous
		}
		used[k] = true
		switch k {
		case "link":
			ents = append(ents, &api.MessageEntityTextURL{Offset: off, Length: ln, URL: "https://e.x/p"})
		case "mention":
			ents = append(ents, &api.MessageEntityMentionName{Offset: off, Length: ln, UserID: 99})
		default:
			ents = append(ents, simpleEntity(k, off, ln))
		}
	}
	// Links must not cross other links (neither syntax can express it).
	if used["link"] && used["mention"] {
		ents = ents[:0]
	}
	sortEntities(ents)
	return text, ents
}

func sameEntities(a, b []api.MessageEntityClass) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, _ := tl.Encode(a[i])
		y, _ := tl.Encode(b[i])
		if !bytes.Equal(x, y) {
			return false
		}
	}
	return true
}

func TestRoundTripsOnTrickyText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 3000; i++ {
		html := i%2 == 1
		text, ents := randomCase(r, html)
		var markup, back string
		var got []api.MessageEntityClass
		if html {
			markup = UnparseHTML(text, ents)
			back, got = ParseHTML(markup)
		} else {
			markup = UnparseMarkdown(text, ents)
			back, got = ParseMarkdown(markup)
		}
		if back != text || !sameEntities(got, ents) {
			t.Fatalf("html=%v round trip of %q [%s]\nmarkup %q\n got %q [%s]", html, text, describe(ents), markup, back, describe(got))
		}
	}
}

func TestCodeAndPreRoundTrip(t *testing.T) {
	text := "run `x` then\\ 👍 done"
	ents := []api.MessageEntityClass{&api.MessageEntityCode{Offset: 4, Length: 3},
		&api.MessageEntityPre{Offset: 13, Length: 5, Language: "sh"}}
	for _, f := range []struct {
		un func(string, []api.MessageEntityClass) string
		pa func(string) (string, []api.MessageEntityClass)
	}{{UnparseMarkdown, ParseMarkdown}, {UnparseHTML, ParseHTML}} {
		m := f.un(text, ents)
		back, got := f.pa(m)
		if back != text || !sameEntities(got, ents) {
			t.Fatalf("markup %q\n got %q [%s]", m, back, describe(got))
		}
	}
}

// Whatever the input, parsing never panics and every entity lies inside the
// text with a positive length.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"**a** __b__", "<b>x</b>&amp;", "```go\nx```", "[a](b)", "<a href='x'>y", "\\", "&#99999999;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (string, []api.MessageEntityClass){ParseMarkdown, ParseHTML} {
			text, ents := parse(s)
			total := utf16Len(text)
			for _, e := range ents {
				off, n := entityBounds(e)
				if off < 0 || n <= 0 || off+n > total {
					t.Fatalf("%q: entity %s outside %d units", s, describe([]api.MessageEntityClass{e}), total)
				}
			}
		}
	})
}
