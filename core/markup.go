package core

import (
	"fmt"
	"strings"

	"github.com/polygram/polygram/tl/api"
)

// Reply markup builders: what SendOptions.Buttons takes.
//
//	kb := core.InlineKeyboard(
//		core.InlineRow(core.CallbackButton("Yes", []byte("yes")), core.CallbackButton("No", []byte("no"))),
//		core.InlineRow(core.URLButton("Docs", "https://example.org")),
//	)
//
// SendMessage and EditMessage check a markup before sending it and return
// a *MarkupError naming the bad button.

// MaxCallbackData is the largest callback data Telegram accepts, in bytes.
const MaxCallbackData = 64

// InlineRow is one row of inline buttons.
func InlineRow(buttons ...api.KeyboardInlineButtonClass) []api.KeyboardInlineButtonClass {
	return buttons
}

// InlineKeyboard builds the buttons shown under a message from rows of
// inline buttons.
func InlineKeyboard(rows ...[]api.KeyboardInlineButtonClass) *api.ReplyInlineMarkup {
	out := &api.ReplyInlineMarkup{Rows: make([]api.KeyboardInlineButtonRowClass, 0, len(rows))}
	for _, r := range rows {
		out.Rows = append(out.Rows, &api.KeyboardInlineButtonRow{Buttons: r})
	}
	return out
}

// CallbackButton is an inline button that sends data (at most
// MaxCallbackData bytes) to the bot as a callback query when pressed.
func CallbackButton(text string, data []byte) *api.KeyboardInlineButton {
	return &api.KeyboardInlineButton{Text: text, Type: &api.InlineButtonTypeCallback{Data: data}}
}

// URLButton is an inline button that opens a link.
func URLButton(text, url string) *api.KeyboardInlineButton {
	return &api.KeyboardInlineButton{Text: text, Type: &api.InlineButtonTypeURL{URL: url}}
}

// SwitchInlineButton is an inline button that starts an inline query of
// the bot with query; samePeer keeps it in the current chat instead of
// letting the user pick one.
func SwitchInlineButton(text, query string, samePeer bool) *api.KeyboardInlineButton {
	return &api.KeyboardInlineButton{Text: text, Type: &api.InlineButtonTypeSwitchInline{Query: query, SamePeer: samePeer}}
}

// KeyboardRow is one row of reply keyboard buttons.
func KeyboardRow(buttons ...api.KeyboardButtonClass) []api.KeyboardButtonClass { return buttons }

// TextButton is a reply keyboard button that sends its text.
func TextButton(text string) *api.KeyboardButton {
	return &api.KeyboardButton{Text: text, Type: &api.ButtonTypeDefault{}}
}

// PhoneButton is a reply keyboard button that shares the user's phone
// number.
func PhoneButton(text string) *api.KeyboardButton {
	return &api.KeyboardButton{Text: text, Type: &api.ButtonTypeRequestPhone{}}
}

// LocationButton is a reply keyboard button that shares the user's
// location.
func LocationButton(text string) *api.KeyboardButton {
	return &api.KeyboardButton{Text: text, Type: &api.ButtonTypeRequestGeoLocation{}}
}

// KeyboardOptions tune a reply keyboard.
type KeyboardOptions struct {
	// Resize fits the keyboard to its buttons.
	Resize bool
	// SingleUse hides the keyboard after one press.
	SingleUse bool
	// Selective shows it only to the users mentioned or replied to.
	Selective bool
	// Persistent keeps it shown when the regular keyboard is opened.
	Persistent bool
	// Placeholder is shown in the input field.
	Placeholder string
}

// ReplyKeyboard builds a custom keyboard replacing the user's.
func ReplyKeyboard(o KeyboardOptions, rows ...[]api.KeyboardButtonClass) *api.ReplyKeyboardMarkup {
	out := &api.ReplyKeyboardMarkup{Resize: o.Resize, SingleUse: o.SingleUse, Selective: o.Selective,
		Persistent: o.Persistent, Rows: make([]api.KeyboardButtonRowClass, 0, len(rows))}
	if o.Placeholder != "" {
		out.Placeholder.Val, out.Placeholder.Set = o.Placeholder, true
	}
	for _, r := range rows {
		out.Rows = append(out.Rows, &api.KeyboardButtonRow{Buttons: r})
	}
	return out
}

// ForceReply makes the user's app open a reply to the message, with an
// optional input placeholder.
func ForceReply(placeholder string, selective bool) *api.ReplyKeyboardForceReply {
	out := &api.ReplyKeyboardForceReply{Selective: selective}
	if placeholder != "" {
		out.Placeholder.Val, out.Placeholder.Set = placeholder, true
	}
	return out
}

// ClearKeyboard removes a custom keyboard sent earlier.
func ClearKeyboard(selective bool) *api.ReplyKeyboardHide {
	return &api.ReplyKeyboardHide{Selective: selective}
}

// MarkupError reports a button Telegram would refuse, by row and column
// (from 0).
type MarkupError struct {
	Row, Col int
	Text     string
	Why      string
}

func (e *MarkupError) Error() string {
	return fmt.Sprintf("core: button %q (row %d, column %d): %s", e.Text, e.Row, e.Col, e.Why)
}

// checkMarkup validates buttons before they are sent.
func checkMarkup(m api.ReplyMarkupClass) error {
	switch x := m.(type) {
	case nil, *api.ReplyKeyboardHide, *api.ReplyKeyboardForceReply:
		return nil
	case *api.ReplyInlineMarkup:
		for i, rc := range x.Rows {
			row, ok := rc.(*api.KeyboardInlineButtonRow)
			if !ok {
				continue
			}
			for j, bc := range row.Buttons {
				b, ok := bc.(*api.KeyboardInlineButton)
				if !ok {
					continue
				}
				if why := checkInlineButton(b); why != "" {
					return &MarkupError{Row: i, Col: j, Text: b.Text, Why: why}
				}
			}
		}
	case *api.ReplyKeyboardMarkup:
		for i, rc := range x.Rows {
			row, ok := rc.(*api.KeyboardButtonRow)
			if !ok {
				continue
			}
			for j, bc := range row.Buttons {
				if b, ok := bc.(*api.KeyboardButton); ok && strings.TrimSpace(b.Text) == "" {
					return &MarkupError{Row: i, Col: j, Why: "a button needs a text"}
				}
			}
		}
	}
	return nil
}

func checkInlineButton(b *api.KeyboardInlineButton) string {
	if strings.TrimSpace(b.Text) == "" {
		return "a button needs a text"
	}
	switch t := b.Type.(type) {
	case nil:
		return "the button has no type"
	case *api.InlineButtonTypeCallback:
		if len(t.Data) == 0 || len(t.Data) > MaxCallbackData {
			return fmt.Sprintf("callback data must be 1 to %d bytes, not %d", MaxCallbackData, len(t.Data))
		}
	case *api.InlineButtonTypeURL:
		u := strings.ToLower(t.URL)
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "tg://") {
			return fmt.Sprintf("URL %q must start with http://, https:// or tg://", t.URL)
		}
	}
	return ""
}

// InlineButtons returns the inline buttons of a message by row (nil when it
// has none).
func InlineButtons(m *api.Message) [][]*api.KeyboardInlineButton {
	if m == nil {
		return nil
	}
	mk, ok := m.ReplyMarkup.(*api.ReplyInlineMarkup)
	if !ok {
		return nil
	}
	var out [][]*api.KeyboardInlineButton
	for _, rc := range mk.Rows {
		row, ok := rc.(*api.KeyboardInlineButtonRow)
		if !ok {
			continue
		}
		var r []*api.KeyboardInlineButton
		for _, bc := range row.Buttons {
			if b, ok := bc.(*api.KeyboardInlineButton); ok {
				r = append(r, b)
			}
		}
		out = append(out, r)
	}
	return out
}
