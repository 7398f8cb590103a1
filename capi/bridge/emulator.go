package bridge

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/polygram/polygram/emulator"
)

// Emulator is an emulator behind a handle.
type Emulator struct {
	h    uint64
	emu  *emulator.Emulator
	once sync.Once
}

// StartEmulator starts an emulator from an optional msgpack config.
func StartEmulator(config []byte) (*Emulator, *Error) {
	var cfg emulator.Config
	if len(config) > 0 {
		v, err := decodeMsgpack(config)
		if err != nil {
			return nil, errorf(statusDecode, "emulator config: %v", err)
		}
		f := newFields("emulator config", "key", v)
		cfg.DCs = int(f.int32("dcs", 0))
		cfg.Snapshot = f.str("snapshot", "")
		if e := f.finish(); e != nil {
			return nil, e
		}
		if cfg.DCs < 0 || cfg.DCs > 9 {
			return nil, errorf(statusInvalidArgument, "emulator config: dcs must be between 1 and 9")
		}
	}
	emu, err := emulator.Start(cfg)
	if err != nil {
		return nil, errorf(statusFailed, "%v", err)
	}
	e := &Emulator{h: newHandle(kindEmulator), emu: emu}
	emulators.Store(e.h, e)
	return e, nil
}

// Stop shuts the emulator down (once) and forgets its handle.
func (e *Emulator) Stop() {
	e.once.Do(func() {
		emulators.Delete(e.h)
		e.emu.Close()
	})
}

// emuCommand reads and checks a command's arguments and returns the action.
type emuCommand func(e *emulator.Emulator, a *fields) func() (any, error)

// emuCommands is the emulator command table. Files of this package add
// theirs with registerEmulatorCommand from an init function.
var emuCommands = map[string]emuCommand{}

// registerEmulatorCommand adds an emulator command; a name registered twice
// is a bug.
func registerEmulatorCommand(name string, c emuCommand) {
	if _, dup := emuCommands[name]; dup {
		panic("bridge: emulator command " + name + " registered twice")
	}
	emuCommands[name] = c
}

func init() {
	for name, c := range map[string]emuCommand{
		"info":          emuInfo,
		"client_config": emuClientConfig,
		"create_user": func(e *emulator.Emulator, a *fields) func() (any, error) {
			phone, first, last, user := a.reqStr("phone"), a.str("first_name", ""), a.str("last_name", ""), a.str("username", "")
			return func() (any, error) {
				u, err := e.CreateUser(phone, first, last, user)
				if err != nil {
					return nil, err
				}
				return userKV(u), nil
			}
		},
		"create_bot": func(e *emulator.Emulator, a *fields) func() (any, error) {
			user, first := a.reqStr("username"), a.str("first_name", "")
			return func() (any, error) {
				u, token, err := e.CreateBot(user, first)
				if err != nil {
					return nil, err
				}
				return kv{"user", userKV(u), "token", token}, nil
			}
		},
		"bot_token": func(e *emulator.Emulator, a *fields) func() (any, error) {
			id := a.reqInt("bot_id")
			return func() (any, error) {
				t, err := e.BotToken(id)
				return kv{"token", t}, err
			}
		},
		"lookup_user": func(e *emulator.Emulator, a *fields) func() (any, error) {
			id := a.reqInt("id")
			return func() (any, error) {
				if u := e.LookupUser(id); u != nil {
					return userKV(u), nil
				}
				return nil, nil
			}
		},
		"login_code": func(e *emulator.Emulator, a *fields) func() (any, error) {
			phone := a.reqStr("phone")
			return func() (any, error) { return kv{"code", e.LoginCode(phone)}, nil }
		},
		"set_password": func(e *emulator.Emulator, a *fields) func() (any, error) {
			id, pw, hint := a.reqInt("user_id"), a.str("password", ""), a.str("hint", "")
			return func() (any, error) { return kv{}, e.SetPassword(id, pw, hint) }
		},
		"add_contact": func(e *emulator.Emulator, a *fields) func() (any, error) {
			owner, contact := a.reqInt("owner"), a.reqInt("contact")
			return func() (any, error) { return kv{}, e.AddContact(owner, contact) }
		},
		"send_message": func(e *emulator.Emulator, a *fields) func() (any, error) {
			from, peer, text := a.reqInt("from"), a.reqInt("peer"), a.reqStr("text")
			return func() (any, error) {
				id, err := e.SendMessage(from, peer, text)
				return kv{"id", id}, err
			}
		},
		"history": func(e *emulator.Emulator, a *fields) func() (any, error) {
			viewer, peer := a.reqInt("viewer"), a.reqInt("peer")
			return func() (any, error) {
				msgs, err := e.History(viewer, peer)
				if err != nil {
					return nil, err
				}
				list := make([]any, 0, len(msgs))
				for _, m := range msgs {
					x := kv{"id", m.ID, "from_id", m.FromID, "peer_id", m.PeerID, "out", m.Out, "text", m.Text,
						"date", m.Date.Unix(), "reply_to", m.ReplyTo, "service", m.Service, "fwd_from_id", m.FwdFromID}
					if !m.EditDate.IsZero() {
						x = append(x, "edit_date", m.EditDate.Unix())
					}
					list = append(list, x)
				}
				return kv{"messages", list}, nil
			}
		},
		"create_chat": func(e *emulator.Emulator, a *fields) func() (any, error) {
			creator, title, members := a.reqInt("creator"), a.reqStr("title"), a.ints64("members")
			return func() (any, error) {
				p, err := e.CreateChat(creator, title, members...)
				return kv{"peer", p}, err
			}
		},
		"create_channel": func(e *emulator.Emulator, a *fields) func() (any, error) {
			creator, title, user := a.reqInt("creator"), a.reqStr("title"), a.str("username", "")
			mega, members := a.bool("megagroup", false), a.ints64("members")
			return func() (any, error) {
				p, err := e.CreateChannel(creator, title, user, mega, members...)
				return kv{"peer", p}, err
			}
		},
		"update_state": func(e *emulator.Emulator, a *fields) func() (any, error) {
			id := a.reqInt("user_id")
			return func() (any, error) {
				pts, qts, seq, err := e.UpdateState(id)
				return kv{"pts", pts, "qts", qts, "seq", seq}, err
			}
		},
		"drop_connections":       emuAction(func(e *emulator.Emulator) { e.DropConnections() }),
		"rotate_salt":            emuAction(func(e *emulator.Emulator) { e.RotateSalt() }),
		"expire_file_references": emuAction(func(e *emulator.Emulator) { e.ExpireFileReferences() }),
		"cdn": func(e *emulator.Emulator, a *fields) func() (any, error) {
			on, tamper := a.bool("redirects", true), a.bool("tamper", false)
			return func() (any, error) { e.SetCDNRedirects(on); e.SetCDNTamper(tamper); return kv{}, nil }
		},
		"skew_clock": func(e *emulator.Emulator, a *fields) func() (any, error) {
			d := a.seconds("seconds", 0)
			a.required("seconds")
			return func() (any, error) { e.SkewClock(d); return kv{}, nil }
		},
		"hold_updates": func(e *emulator.Emulator, a *fields) func() (any, error) {
			id, hold := a.reqInt("user_id"), a.bool("hold", true)
			return func() (any, error) { e.HoldUpdates(id, hold); return kv{}, nil }
		},
		"lose_updates": func(e *emulator.Emulator, a *fields) func() (any, error) {
			id, n := a.reqInt("user_id"), int(a.int32("n", 1))
			return func() (any, error) { e.LoseUpdates(id, n); return kv{}, nil }
		},
		"fail_next": func(e *emulator.Emulator, a *fields) func() (any, error) {
			m, n, name := a.reqStr("method"), int(a.int32("n", 1)), a.reqStr("error")
			return func() (any, error) { e.FailNext(m, n, name); return kv{}, nil }
		},
		"slow_dc": func(e *emulator.Emulator, a *fields) func() (any, error) {
			dc, ms := int(a.reqInt32("dc")), a.int("delay_ms", 0)
			return func() (any, error) { e.SlowDC(dc, time.Duration(ms)*time.Millisecond); return kv{}, nil }
		},
	} {
		registerEmulatorCommand(name, c)
	}
}

func emuAction(f func(e *emulator.Emulator)) emuCommand {
	return func(e *emulator.Emulator, _ *fields) func() (any, error) {
		return func() (any, error) { f(e); return kv{}, nil }
	}
}

func userKV(u *emulator.User) kv {
	return kv{"id", u.ID, "phone", u.Phone, "first_name", u.FirstName, "last_name", u.LastName,
		"username", u.Username, "bot", u.Bot, "dc", u.DC}
}

func emuDCs(e *emulator.Emulator) []any {
	var dcs []any
	for _, d := range e.DCs() {
		dcs = append(dcs, kv{"id", d.ID, "host", d.Host, "port", d.Port, "addr", e.Addr(d.ID)})
	}
	return dcs
}

func emuInfo(e *emulator.Emulator, _ *fields) func() (any, error) {
	return func() (any, error) {
		return kv{"dcs", emuDCs(e), "public_key_pem", e.PublicKeyPEM(), "fingerprint", e.PublicKey().Fingerprint}, nil
	}
}

// emuClientConfig returns a client configuration that points at the
// emulator, with the caller's extra keys merged in.
func emuClientConfig(e *emulator.Emulator, a *fields) func() (any, error) {
	extra := a.m
	for k := range extra {
		a.used[k] = true
	}
	return func() (any, error) {
		var dcs []any
		for _, d := range e.DCs() {
			dcs = append(dcs, kv{"id", d.ID, "addr", e.Addr(d.ID)})
		}
		cfg := map[string]any{"api_id": int64(1), "api_hash": "emulator", "public_keys": []any{e.PublicKeyPEM()}}
		for k, v := range extra {
			cfg[k] = v
		}
		if _, ok := extra["dcs"]; !ok {
			cfg["dcs"] = rawList(dcs)
		}
		return cfg, nil
	}
}

// rawList pre-encodes an array so it can sit in a map[string]any.
func rawList(l []any) raw { return raw(mp(nil).any(l)) }

// Call runs one command map {"method", "args"}.
func (e *Emulator) Call(data []byte) ([]byte, *Error) {
	v, err := decodeMsgpack(data)
	if err != nil {
		return nil, errorf(statusDecode, "emulator command: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errorf(statusInvalidArgument, `emulator command: must be a map {"method": str, "args": map}, got %s`, typeName(v))
	}
	top := newFields("emulator command", "key", v)
	name := top.reqStr("method")
	args := top.value("args")
	if ae := top.finish(); ae != nil {
		return nil, ae
	}
	cmd := emuCommands[name]
	if cmd == nil {
		names := make([]string, 0, len(emuCommands))
		for n := range emuCommands {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, errorf(statusUnknownMethod, "unknown emulator command %q; the commands are: %s", name, strings.Join(names, ", "))
	}
	a := newFields(name, "argument", args)
	run := cmd(e.emu, a)
	if ae := a.finish(); ae != nil {
		return nil, ae
	}
	res, err := run()
	if err != nil {
		return nil, errorf(statusFailed, "%v", err)
	}
	return mp(nil).any(res), nil
}
