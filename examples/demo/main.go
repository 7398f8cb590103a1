// Command demo runs Polygram end to end on one machine: it starts the bundled
// Telegram emulator (three data centres on loopback, real MTProto), creates a
// user and a bot, logs both in — the user with a phone code, migrating to the
// data centre their number lives on, the bot with its token — and has the
// user talk to an echo bot. Every byte goes through the same client core
// the C API and the bindings use.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/polygram/polygram/core"
	"github.com/polygram/polygram/emulator"
	"github.com/polygram/polygram/mtproto/crypto"
	"github.com/polygram/polygram/session"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	step := func(format string, args ...any) {
		fmt.Printf("[%6.1f ms] %s\n", float64(time.Since(start).Microseconds())/1000, fmt.Sprintf(format, args...))
	}

	emu, err := emulator.Start(emulator.Config{})
	if err != nil {
		return err
	}
	defer emu.Close()
	var dcs []core.DCAddr
	var where []string
	for _, d := range emu.DCs() {
		dcs = append(dcs, core.DCAddr{ID: d.ID, Addr: emu.Addr(d.ID)})
		where = append(where, fmt.Sprintf("DC%d=%s", d.ID, emu.Addr(d.ID)))
	}
	step("emulator up: %s (RSA key %016x)", strings.Join(where, " "), uint64(emu.PublicKey().Fingerprint))

	alice, err := emu.CreateUser("9996631234", "Alice", "Example", "alice")
	if err != nil {
		return err
	}
	bot, token, err := emu.CreateBot("echo_bot", "Echo")
	if err != nil {
		return err
	}
	step("created user %s (+%s, lives on DC3) and bot @%s", alice.FirstName, alice.Phone, bot.Username)

	newClient := func() (*core.Client, error) {
		return core.New(core.Config{APIID: 1, APIHash: "demo", DCs: dcs,
			PublicKeys: []crypto.PublicKey{emu.PublicKey()}, Session: session.NewMemory()})
	}

	// The bot: log in with the token and echo every incoming message.
	botClient, err := newClient()
	if err != nil {
		return err
	}
	defer botClient.Close()
	if _, err := botClient.Login(ctx, core.LoginOptions{BotToken: token}); err != nil {
		return fmt.Errorf("bot login: %w", err)
	}
	botClient.OnEvent(func(ctx context.Context, ev core.Event) {
		m, ok := ev.(*core.NewMessage)
		if !ok || m.Out {
			return
		}
		peer, err := botClient.ResolveID(ctx, m.ChatID)
		if err == nil {
			_, err = botClient.SendMessage(ctx, peer, "echo: "+m.Message.Message, core.SendOptions{ReplyTo: m.Message.ID})
		}
		if err != nil && ctx.Err() == nil { // errors after shutdown began are expected
			fmt.Fprintln(os.Stderr, "bot:", err)
		}
	})
	if err := botClient.StartUpdates(ctx, false); err != nil {
		return err
	}
	step("bot logged in with its token and listening")

	// The user: phone login (the client starts on DC2 and is told
	// PHONE_MIGRATE_3), then a conversation with the bot.
	userClient, err := newClient()
	if err != nil {
		return err
	}
	defer userClient.Close()
	var states []string
	me, err := userClient.Login(ctx, core.LoginOptions{
		Phone: func(context.Context) (string, error) { return "+" + alice.Phone, nil },
		Code: func(_ context.Context, sent *core.SentCode) (string, error) {
			return emu.LoginCode(sent.Phone), nil
		},
		OnState: func(s core.AuthState) { states = append(states, string(s)) },
	})
	if err != nil {
		return fmt.Errorf("user login: %w", err)
	}
	step("%s logged in on DC%d (%s)", me.FirstName.Val, userClient.MainDC(), strings.Join(states, " → "))

	replies := make(chan string, 4)
	userClient.OnEvent(func(ctx context.Context, ev core.Event) {
		if m, ok := ev.(*core.NewMessage); ok && !m.Out {
			replies <- m.Message.Message
		}
	})
	if err := userClient.StartUpdates(ctx, false); err != nil {
		return err
	}
	botPeer, err := userClient.ResolvePeer(ctx, "@echo_bot")
	if err != nil {
		return err
	}
	for _, text := range []string{"Hello, bot!", "Polygram speaks MTProto."} {
		sent := time.Now()
		if _, err := userClient.SendMessage(ctx, botPeer, text, core.SendOptions{}); err != nil {
			return err
		}
		step("%s → @%s: %q", me.FirstName.Val, bot.Username, text)
		select {
		case r := <-replies:
			step("@%s → %s: %q (round trip %.1f ms)", bot.Username, me.FirstName.Val, r,
				float64(time.Since(sent).Microseconds())/1000)
		case <-ctx.Done():
			return fmt.Errorf("no reply from the bot")
		}
	}
	step("done")
	return nil
}
