//! The binding against the emulator, through the shared library.

mod common;

use common::{login_bot, login_user, run};
use polygram::{
    map, Client, Emulator, Error, Event, EventKind, Filter, HistoryOptions, SendFile, SendOptions, Session, Value,
};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

/// The next event (the test's deadline bounds the wait).
async fn next_event(events: &mut polygram::Events) -> Event {
    events.next().await.expect("stream ended")
}

#[test]
fn emulator_commands() {
    let emu = Emulator::start().unwrap();
    let info = emu.info().unwrap();
    assert_eq!(info["dcs"].as_array().unwrap().len(), 3);
    let u = emu.create_user("9996631111", "Zed", "", "zed_rs").unwrap();
    assert_eq!((u.dc, u.phone.as_str(), u.bot), (3, "9996631111", false));
    assert_eq!(emu.login_code("9996631111").unwrap(), "33333");
    assert_eq!(emu.lookup_user(u.id).unwrap().unwrap().username, "zed_rs");
    assert!(emu.lookup_user(999_999_999).unwrap().is_none());
    let (bot, token) = emu.create_bot("cmds_bot", "Cmds").unwrap();
    assert!(bot.bot && token.starts_with(&format!("{}:", bot.id)));
    assert!(matches!(
        emu.call("no_such_command", Value::Nil),
        Err(Error::UnknownMethod(_))
    ));
    match emu.call("create_user", map([("phone", Value::from(5))])) {
        Err(Error::InvalidArgument(m)) => assert!(m.contains("phone"), "{m}"),
        other => panic!("{other:?}"),
    }
    emu.stop();
    emu.stop(); // idempotent
}

#[test]
fn bot_login_and_echo_bot_between_a_user_and_a_bot() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let (bot, bot_me) = login_bot(&emu, "echo_rs_bot").await;
        assert!(bot_me.bot && bot_me.username == "echo_rs_bot");
        assert_eq!(bot.get_me().await.unwrap().id, bot_me.id);
        let bot = Arc::new(bot);
        let mut incoming = bot.events_filtered(Filter::new_messages().incoming());
        bot.start_updates(false).await.unwrap();
        let worker = {
            let bot = bot.clone();
            thread::spawn(move || {
                pollster::block_on(async {
                    let mut seen = Vec::new();
                    while let Some(Event::NewMessage(m)) = incoming.next().await {
                        seen.push((m.sender_id, m.text.clone()));
                        let o = SendOptions {
                            reply_to: Some(m.id),
                            ..Default::default()
                        };
                        bot.send_message_with(m.chat_id, &format!("echo: {}", m.text), o)
                            .await
                            .unwrap();
                    }
                    seen
                })
            })
        };

        let (user, me) = login_user(&emu, "9996621001", "Alice", "alice_rs").await;
        let state = user.get_state().await.unwrap();
        assert_eq!((state.main_dc, state.auth_state.as_str()), (2, "ready"));
        let mut replies = user.events_filtered(Filter::new_messages().incoming().chats([bot_me.id]));
        user.start_updates(false).await.unwrap();
        let sent = user.send_message("@echo_rs_bot", "ping world").await.unwrap();
        assert!(sent > 0);
        let Event::NewMessage(reply) = next_event(&mut replies).await else {
            panic!()
        };
        assert_eq!(reply.text, "echo: ping world");
        assert!(!reply.out);
        assert_eq!((reply.chat_id, reply.sender_id), (bot_me.id, bot_me.id));
        assert_eq!(reply.reply_to, Some(sent));

        user.send_message(bot_me.id, "second").await.unwrap();
        let Event::NewMessage(reply) = next_event(&mut replies).await else {
            panic!()
        };
        assert_eq!(reply.text, "echo: second");

        let history = user
            .get_history(
                "@echo_rs_bot",
                HistoryOptions {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let texts: Vec<&str> = history.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["echo: second", "second", "echo: ping world", "ping world"]);
        assert!(!history[0].out && history[1].out);

        bot.close();
        let seen = worker.join().unwrap();
        assert_eq!(seen, [(me.id, "ping world".to_owned()), (me.id, "second".to_owned())]);
        assert!(matches!(bot.get_me().await, Err(Error::Closed)));
    });
}

#[test]
fn user_login_with_code_and_2fa_password() {
    let emu = Emulator::start().unwrap();
    let phone = "9996612002";
    let u = emu.create_user(phone, "Carol", "", "").unwrap();
    emu.set_password(u.id, "s3cret", "the usual").unwrap();
    run(30, async {
        let c = emu.client().unwrap();
        let mut auth = c.events_filtered(Filter::kinds([EventKind::AuthState]));
        assert!(!c.is_authorized().await.unwrap());
        assert!(matches!(c.get_me().await, Err(Error::Unauthorized(_))));
        let code = c.send_code(phone).await.unwrap();
        assert_eq!((code.phone.as_str(), code.length), (phone, 5));
        assert!(!code.hash.is_empty());
        match c.sign_in(&code, "00000").await {
            Err(Error::Rpc { code: 400, name, .. }) => assert_eq!(name, "PHONE_CODE_INVALID"),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.sign_in(&code, "11111").await.unwrap_err(), Error::PasswordNeeded);
        assert_eq!(c.auth_state(), "wait_password");
        assert_eq!(c.password_hint().await.unwrap(), "the usual");
        match c.check_password("wrong").await {
            Err(Error::Rpc { name, .. }) => assert_eq!(name, "PASSWORD_HASH_INVALID"),
            other => panic!("{other:?}"),
        }
        let me = c.check_password("s3cret").await.unwrap();
        assert_eq!((me.id, me.first_name.as_str()), (u.id, "Carol"));
        assert!(c.is_authorized().await.unwrap());
        assert_eq!(c.auth_state(), "ready");
        let mut states = Vec::new();
        while let Ok(Some(Event::AuthState { state, .. })) = auth.next_blocking(Duration::from_millis(200)) {
            states.push(state);
        }
        for s in ["wait_code", "wait_password", "ready"] {
            assert!(states.iter().any(|x| x == s), "{s} not in {states:?}");
        }

        // The exported string session logs another client in.
        let s = c.export_session().await.unwrap();
        let again = Client::new(emu.client_config().unwrap().session(Session::String(s))).unwrap();
        assert!(again.is_authorized().await.unwrap());
        assert_eq!(again.get_me().await.unwrap().id, u.id);

        c.log_out().await.unwrap();
        assert!(!c.is_authorized().await.unwrap());
    });
}

#[test]
fn qr_login_accepted_by_another_session() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let (a, me) = login_user(&emu, "9996613003", "Dana", "").await;
        let b = Arc::new(emu.client().unwrap());
        let (tx, rx) = mpsc::channel();
        let waiter = {
            let b = b.clone();
            thread::spawn(move || {
                pollster::block_on(b.qr_login(move |qr| {
                    let _ = tx.send(qr);
                }))
            })
        };
        let qr = rx.recv_timeout(Duration::from_secs(10)).expect("a QR code");
        assert!(qr.url.starts_with("tg://login?token="), "{}", qr.url);
        assert!(qr.expires > 0);
        a.accept_qr_login(&qr.url).await.unwrap();
        let user = waiter.join().unwrap().unwrap();
        assert_eq!(user.id, me.id);
        assert_eq!(b.get_me().await.unwrap().id, me.id);
    });
}

#[test]
fn events_stream_messages_edits_and_deletions() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let (a, a_me) = login_user(&emu, "9996614004", "Erin", "erin_rs").await;
        let (b, _) = login_user(&emu, "9996614005", "Finn", "finn_rs").await;
        let mut all = b.events();
        let mut from_a = b.events_filtered(Filter::kinds([
            EventKind::NewMessage,
            EventKind::MessageEdited,
            EventKind::MessageDeleted,
        ]));
        let mut commands = b.events_filtered(Filter::new_messages().incoming().text_starts_with("/cmd"));
        b.start_updates(false).await.unwrap();

        let id = a.send_message("@finn_rs", "hello finn").await.unwrap();
        let Event::NewMessage(m) = next_event(&mut from_a).await else {
            panic!()
        };
        assert_eq!(
            (m.text.as_str(), m.sender_id, m.chat_id, m.out),
            ("hello finn", a_me.id, a_me.id, false)
        );
        let b_id = m.id;

        a.edit_message("@finn_rs", id, "hello, finn").await.unwrap();
        match next_event(&mut from_a).await {
            Event::MessageEdited(m) => assert_eq!((m.id, m.text.as_str()), (b_id, "hello, finn")),
            other => panic!("{other:?}"),
        }
        a.delete_messages("@finn_rs", &[id], true).await.unwrap();
        match next_event(&mut from_a).await {
            Event::MessageDeleted { ids, channel_id } => assert_eq!((ids, channel_id), (vec![b_id], 0)),
            other => panic!("{other:?}"),
        }
        a.send_message("@finn_rs", "/cmd go").await.unwrap();
        let Event::NewMessage(m) = next_event(&mut commands).await else {
            panic!()
        };
        assert_eq!(m.text, "/cmd go");
        // The unfiltered stream has the connection state and the messages.
        let mut kinds = Vec::new();
        while let Ok(Some(ev)) = all.next_blocking(Duration::from_millis(300)) {
            kinds.push(ev.kind());
        }
        assert!(
            kinds.contains(&EventKind::NewMessage) && kinds.contains(&EventKind::MessageDeleted),
            "{kinds:?}"
        );
        assert!(commands.is_empty(), "only /cmd messages pass the text filter");

        // Closing ends every stream.
        b.close();
        let mut tail = Vec::new();
        while let Some(ev) = all.next().await {
            tail.push(ev);
        }
        assert_eq!(tail.last(), Some(&Event::ConnectionState("closed".into())));
        let mut rest = 0;
        while from_a.next().await.is_some() {
            rest += 1;
        }
        assert_eq!(rest, 1, "the /cmd message was still queued");
        assert_eq!(b.events().next().await, None);
    });
}

#[test]
fn raw_calls_as_msgpack_and_tl_bytes() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let (c, me) = login_user(&emu, "9996615006", "Raw", "").await;
        let dc = c.invoke(&map([("_", Value::from("help.getNearestDc"))])).await.unwrap();
        assert_eq!(dc["_"].as_str(), Some("nearestDc"));
        assert_eq!(dc["this_dc"].as_i64(), Some(1));

        let req = polygram::msgpack_to_tl(&map([("_", Value::from("help.getNearestDc"))])).unwrap();
        assert_eq!(req.len(), 4, "a constructor id alone");
        let tl = c.invoke_raw(&req).await.unwrap();
        let back = polygram::tl_to_msgpack(&tl).unwrap();
        assert_eq!(back["_"].as_str(), Some("nearestDc"));
        assert_eq!(c.invoke_raw_blocking(&req, Some(Duration::from_secs(10))).unwrap(), tl);

        let users = c
            .invoke(&map([
                ("_", Value::from("users.getUsers")),
                ("id", Value::Array(vec![map([("_", Value::from("inputUserSelf"))])])),
            ]))
            .await
            .unwrap();
        assert_eq!(users[0]["id"].as_i64(), Some(me.id));

        c.send_message("me", "note to self").await.unwrap();
        let hist = c
            .invoke(&map([
                ("_", Value::from("messages.getHistory")),
                ("peer", map([("_", Value::from("inputPeerSelf"))])),
                ("offset_id", Value::from(0)),
                ("offset_date", Value::from(0)),
                ("add_offset", Value::from(0)),
                ("limit", Value::from(5)),
                ("max_id", Value::from(0)),
                ("min_id", Value::from(0)),
                ("hash", Value::from(0)),
            ]))
            .await
            .unwrap();
        assert_eq!(hist["messages"][0]["message"].as_str(), Some("note to self"));

        // Bad requests fail before anything is sent, with typed errors.
        assert!(matches!(
            c.invoke(&map([("_", Value::from("no.suchFunction"))])).await,
            Err(Error::Decode(_) | Error::UnknownMethod(_))
        ));
        match c.invoke(&map([("_", Value::from("messages.getHistory"))])).await {
            Err(Error::Decode(m) | Error::InvalidArgument(m)) => assert!(m.contains("peer"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(c.invoke_raw(&[1, 2, 3]).await, Err(Error::Decode(_))));
        assert!(matches!(polygram::tl_to_msgpack(&[9, 9, 9, 9]), Err(Error::Decode(_))));
        assert!(matches!(
            c.call("no_such_method", Value::Map(vec![])).await,
            Err(Error::UnknownMethod(_))
        ));
        match c
            .call(
                "send_message",
                map([
                    ("peer", Value::from("me")),
                    ("text", Value::from("x")),
                    ("bogus", Value::from(1)),
                ]),
            )
            .await
        {
            Err(Error::InvalidArgument(m)) => assert!(m.contains("bogus"), "{m}"),
            other => panic!("{other:?}"),
        }
        let echoed = c
            .ping_local(map([("x", Value::from(1)), ("s", Value::from("y"))]))
            .await
            .unwrap();
        assert_eq!((echoed["x"].as_i64(), echoed["s"].as_str()), (Some(1), Some("y")));
    });
}

#[test]
fn typed_errors_from_telegram() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let (c, _) = login_user(&emu, "9996626007", "Err", "").await;
        let nearest = map([("_", Value::from("help.getNearestDc"))]);

        emu.fail_next("help.getNearestDc", "FLOOD_WAIT_120", 1).unwrap();
        let e = c.invoke(&nearest).await.unwrap_err();
        assert_eq!(
            e,
            Error::FloodWait {
                seconds: 120,
                method: Some("help.getNearestDc".into())
            }
        );
        assert_eq!(e.rpc_name(), Some("FLOOD_WAIT_X"));
        assert!(e.to_string().contains("120"), "{e}");

        emu.fail_next("help.getNearestDc", "CHAT_ADMIN_REQUIRED", 1).unwrap();
        match c.invoke(&nearest).await.unwrap_err() {
            Error::Rpc { code, name, method, .. } => {
                assert_eq!(
                    (code, name.as_str(), method.as_deref()),
                    (400, "CHAT_ADMIN_REQUIRED", Some("help.getNearestDc"))
                )
            }
            other => panic!("{other:?}"),
        }
        emu.fail_next("help.getNearestDc", "SLOWMODE_WAIT_300", 1).unwrap();
        // Other waits over the threshold are flood waits too.
        assert!(matches!(
            c.invoke(&nearest).await,
            Err(Error::FloodWait { seconds: 300, .. })
        ));
        // The next call goes through again.
        assert_eq!(c.invoke(&nearest).await.unwrap()["_"].as_str(), Some("nearestDc"));

        // A malformed username is Telegram's RPC error; friendly calls report
        // an unresolvable peer as PeerNotFound.
        let resolve = map([
            ("_", Value::from("contacts.resolveUsername")),
            ("username", Value::from("bad name!")),
        ]);
        match c.invoke(&resolve).await.unwrap_err() {
            Error::Rpc { code, name, method, .. } => {
                assert_eq!(
                    (code, name.as_str(), method.as_deref()),
                    (400, "USERNAME_INVALID", Some("contacts.resolveUsername"))
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            c.send_message("@bad name!", "hi").await,
            Err(Error::PeerNotFound(_))
        ));
        assert!(matches!(
            c.send_message("@nobody_by_this_name", "hi").await,
            Err(Error::PeerNotFound(_))
        ));
        assert!(matches!(c.set_log_level("loud"), Err(Error::InvalidArgument(_))));
        c.set_log_level("off").unwrap();
    });
}

#[test]
fn download_through_the_cdn() {
    let emu = Emulator::start().unwrap();
    let dir = std::env::temp_dir().join(format!("polygram-rs-cdn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    run(60, async {
        let (a, _) = login_user(&emu, "9996627018", "Ida", "ida_rs").await;
        let (_b, _) = login_user(&emu, "9996627019", "Ivo", "ivo_rs").await;
        let data: Vec<u8> = (0..700_000u32)
            .map(|i| (i.wrapping_mul(2_246_822_519) >> 11) as u8)
            .collect();
        let id = a
            .send_file("@ivo_rs", SendFile::bytes(data.clone()).name("cdn.bin"))
            .await
            .unwrap();
        let on = |tamper: bool| map([("redirects", Value::from(true)), ("tamper", Value::from(tamper))]);
        emu.call("cdn", on(false)).unwrap();
        // From the CDN DC, decrypted and checked against the file DC's hashes.
        assert_eq!(a.download_media("@ivo_rs", id).await.unwrap(), data);
        emu.call("cdn", on(true)).unwrap();
        let out = dir.join("tampered.bin");
        let e = a.download_media_to("@ivo_rs", id, &out).await.unwrap_err();
        assert!(e.to_string().contains("hash"), "{e:?}");
        assert!(!out.exists(), "a failed download left a file");
        emu.call("cdn", map([("redirects", Value::from(false))])).unwrap();
    });
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn files_round_trip() {
    let emu = Emulator::start().unwrap();
    let dir = std::env::temp_dir().join(format!("polygram-rs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    run(60, async {
        let (a, _) = login_user(&emu, "9996627008", "Gus", "gus_rs").await;
        let (_b, _) = login_user(&emu, "9996627009", "Hal", "hal_rs").await;
        let data: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let id = a
            .send_file(
                "@hal_rs",
                SendFile::bytes(data.clone())
                    .name("blob.bin")
                    .caption("a **file**")
                    .parse_mode("markdown")
                    .mime_type("application/octet-stream"),
            )
            .await
            .unwrap();
        let got = a.get_messages("@hal_rs", &[id]).await.unwrap();
        assert_eq!(got.len(), 1);
        assert!(got[0].has_media);
        assert_eq!(got[0].text, "a file");
        assert_eq!(a.download_media("@hal_rs", id).await.unwrap(), data);
        let out = dir.join("out.bin");
        assert_eq!(
            a.download_media_to("@hal_rs", id, &out).await.unwrap(),
            data.len() as u64
        );
        assert_eq!(std::fs::read(&out).unwrap(), data);

        let src = dir.join("in.txt");
        std::fs::write(&src, b"from a path").unwrap();
        let id2 = a.send_file("@hal_rs", SendFile::path(&src)).await.unwrap();
        assert_eq!(a.download_media("@hal_rs", id2).await.unwrap(), b"from a path");
        // The library reports the unreadable path (as it classifies it).
        let e = a
            .send_file("@hal_rs", SendFile::path(dir.join("missing")))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("no such file"), "{e:?}");
    });
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn friendly_methods_and_streams() {
    let emu = Emulator::start().unwrap();
    run(60, async {
        let (a, _) = login_user(&emu, "9996628010", "Ivy", "ivy_rs").await;
        let (_b, b_me) = login_user(&emu, "9996628011", "Jon", "jon_rs").await;
        let peer = a.resolve_peer("@jon_rs").await.unwrap();
        assert_eq!(
            (peer.kind.as_str(), peer.marked_id, peer.username.as_str()),
            ("user", b_me.id, "jon_rs")
        );
        assert!(a.get_entity(&peer).await.unwrap().is_map());
        let mut ids = Vec::new();
        for i in 0..7 {
            ids.push(a.send_message(&peer, &format!("m{i}")).await.unwrap());
        }
        let fwd = a.forward_messages("@jon_rs", &ids[..2], "me").await.unwrap();
        assert_eq!(fwd.len(), 2);
        a.send_read_acknowledge(&peer, 0).await.unwrap();
        a.typing(b_me.id, false).await.unwrap();
        let md = SendOptions {
            parse_mode: Some("markdown".into()),
            ..Default::default()
        };
        let bold = a.send_message_with("@jon_rs", "**bold**", md).await.unwrap();
        let m = a.get_messages("@jon_rs", &[bold]).await.unwrap().remove(0);
        assert_eq!(m.text, "bold");
        assert!(m.raw["entities"].as_array().is_some_and(|e| !e.is_empty()));

        // iter_messages pages through the history, newest first, up to a limit.
        let mut it = a.iter_messages("@jon_rs", Some(5));
        let mut texts = Vec::new();
        while let Some(m) = it.next().await {
            texts.push(m.unwrap().text);
        }
        assert_eq!(texts, ["bold", "m6", "m5", "m4", "m3"]);
        let mut all = a.iter_messages(b_me.id, None);
        let mut n = 0;
        while let Some(m) = all.next().await {
            m.unwrap();
            n += 1;
        }
        assert_eq!(n, 8);

        let mut bad = a.iter_messages("@nobody_by_this_name", None);
        assert!(matches!(bad.next().await, Some(Err(Error::PeerNotFound(_)))));
        assert!(bad.next().await.is_none());

        let dialogs = a.get_dialogs(0).await.unwrap();
        assert!(
            dialogs.iter().any(|d| d.name == "Jon" && d.peer.marked_id == b_me.id),
            "{dialogs:?}"
        );
        let mut it = a.iter_dialogs(None);
        let mut names = Vec::new();
        while let Some(d) = it.next().await {
            names.push(d.unwrap().name);
        }
        assert!(names.contains(&"Jon".to_owned()));
        a.delete_messages(&peer, &ids, true).await.unwrap();
        let left = a.get_history(&peer, HistoryOptions::default()).await.unwrap();
        assert_eq!(left.iter().map(|m| m.id).collect::<Vec<_>>(), [bold]);
        assert!(polygram::stats(false).unwrap()["clients"].as_i64().unwrap() >= 2);
    });
}

#[test]
fn drop_closes_the_client_and_ends_pending_requests() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let c = emu.client().unwrap();
        // qr_login stays pending until another session accepts it.
        let pending = c.call("qr_login", Value::Map(vec![]));
        let also = c.call("qr_login", Value::Map(vec![]));
        let mut events = c.events();
        // A blocking call times out (and is cancelled).
        assert_eq!(
            c.call_blocking("qr_login", Value::Map(vec![]), Some(Duration::from_millis(200)))
                .unwrap_err(),
            Error::Timeout
        );
        // Dropping a request future cancels the request: the library no longer has it.
        let also_id = also.id();
        assert_ne!(also_id, 0);
        drop(also);
        // SAFETY: a plain call with a handle and a request id.
        let st = unsafe { polygram::sys::polygram_cancel(c.handle(), also_id) };
        assert_eq!(st, polygram::sys::POLYGRAM_ERR_NOT_FOUND);
        drop(c);
        assert_eq!(pending.await.unwrap_err(), Error::Closed);
        let mut last = None;
        while let Some(ev) = events.next().await {
            last = Some(ev);
        }
        assert_eq!(last, Some(Event::ConnectionState("closed".into())));
    });
}

#[test]
fn many_concurrent_requests_from_threads() {
    let emu = Emulator::start().unwrap();
    let c = Arc::new(emu.client().unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let c = c.clone();
            thread::spawn(move || {
                run(30, async {
                    // Many requests in flight at once, completed out of order.
                    let futs: Vec<_> = (0..200)
                        .map(|i| c.call("ping_local", map([("i", Value::from(t * 1000 + i))])))
                        .collect();
                    for (i, f) in futs.into_iter().enumerate() {
                        assert_eq!(f.await.unwrap()["i"].as_i64(), Some((t * 1000 + i) as i64));
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn phone_login_helper_and_session_file() {
    let emu = Emulator::start().unwrap();
    let dir = std::env::temp_dir().join(format!("polygram-rs-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kim.session");
    let phone = "9996639012";
    let u = emu.create_user(phone, "Kim", "", "").unwrap();
    emu.set_password(u.id, "pw", "hint!").unwrap();
    run(30, async {
        let cfg = emu.client_config().unwrap().session(Session::File(file.clone()));
        let c = Client::connect(cfg.clone()).await.unwrap();
        // Without a password the 2FA account stops at PasswordNeeded.
        let e = c.login_phone(phone, |_| emu.login_code(phone).unwrap(), |_| None).await;
        assert_eq!(e.unwrap_err(), Error::PasswordNeeded);
        let mut hint_seen = String::new();
        let me = c
            .login_phone(
                phone,
                |sent| {
                    assert_eq!(sent.length, 5);
                    emu.login_code(phone).unwrap()
                },
                |hint| {
                    hint_seen = hint.to_owned();
                    Some("pw".into())
                },
            )
            .await
            .unwrap();
        assert_eq!((me.id, hint_seen.as_str()), (u.id, "hint!"));
        // The session file is locked while open, and logged in when reopened.
        assert!(matches!(Client::new(cfg.clone()), Err(Error::Session(_))));
        drop(c);
        let again = Client::new(cfg).unwrap();
        assert!(again.is_authorized().await.unwrap());
        assert_eq!(again.get_state().await.unwrap().auth_state, "ready");
    });
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn raw_updates_and_raw_events() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let (a, _) = login_user(&emu, "9996610013", "Lee", "lee_rs").await;
        emu.create_user("9996610014", "Max", "", "max_rs").unwrap();
        let b = Client::new(emu.client_config().unwrap().raw_updates(true)).unwrap();
        let code = b.send_code("9996610014").await.unwrap();
        b.sign_in(&code, &emu.login_code("9996610014").unwrap()).await.unwrap();
        let mut raw = b.events_filtered(Filter::kinds([EventKind::RawUpdates]));
        b.start_updates(false).await.unwrap();
        a.send_message("@max_rs", "pushed").await.unwrap();
        match next_event(&mut raw).await {
            Event::RawUpdates { dc, updates } => {
                assert!(dc > 0);
                assert!(
                    updates["_"].as_str().is_some_and(|n| n.starts_with("update")),
                    "{updates}"
                );
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn log_events_follow_the_level() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let c = Client::new(emu.client_config().unwrap().log_level("debug")).unwrap();
        let mut logs = c.events_filtered(Filter::kinds([EventKind::Log]));
        assert!(c.ping_local(Value::Nil).await.unwrap().is_map());
        c.call("connect", Value::Nil).await.unwrap();
        // A dropped connection is logged as the client reconnects.
        emu.drop_connections().unwrap();
        c.call("connect", Value::Nil).await.unwrap();
        match logs.next_blocking(Duration::from_secs(5)) {
            Ok(Some(Event::Log {
                level, message, time, ..
            })) => {
                assert!(["debug", "info", "warn", "error"].contains(&level.as_str()));
                assert!(!message.is_empty() && time > 1_600_000_000_000);
            }
            other => panic!("{other:?}"),
        }
        c.set_log_level("off").unwrap();
    });
}

#[test]
fn connection_states_follow_a_dropped_connection() {
    let emu = Emulator::start().unwrap();
    run(30, async {
        let c = Client::new(emu.client_config().unwrap().log_level("off")).unwrap();
        let mut states = c.events_filtered(Filter::kinds([EventKind::ConnectionState]));
        c.call("connect", Value::Nil).await.unwrap();
        let mut next = || match states.next_blocking(Duration::from_secs(10)) {
            Ok(Some(Event::ConnectionState(s))) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(next(), "connecting");
        assert_eq!(next(), "connected");
        // No request needed: the drop and the reconnect arrive as events.
        emu.drop_connections().unwrap();
        assert_eq!(next(), "disconnected");
        assert_eq!(next(), "connecting");
        assert_eq!(next(), "connected");
        assert!(c.ping_local(Value::Nil).await.unwrap().is_map());
    });
}
