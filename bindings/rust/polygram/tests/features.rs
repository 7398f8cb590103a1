//! Bots and buttons, the newer event kinds, paging, scheduled messages and
//! files, against the emulator through the shared library.

mod common;

use common::{login_bot, login_user, png, run, wait_for};
use polygram::{
    map, AlbumItem, AlbumOptions, Button, ButtonKind, ButtonRef, CallbackAnswer, ChatActionKind, ClickResult,
    DialogOptions, EditOptions, Emulator, Error, Event, EventKind, Filter, InlineAnswerOptions, InlineArticle, Markup,
    MediaKind, MessageIterOptions, ParticipantFilter, ParticipantsOptions, ProgressHook, SendFile, SendOptions, Value,
};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn tl(name: &str, fields: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut m = vec![("_", Value::from(name))];
    m.extend(fields);
    map(m)
}

#[test]
fn bot_answers_start_with_an_inline_keyboard_and_a_click_gets_the_callback_answer() {
    let emu = Emulator::start().unwrap();
    run(40, async {
        let (bot, bot_me) = login_bot(&emu, "menu_rs_bot").await;
        let bot = Arc::new(bot);
        let mut inbox = bot.events_filtered(
            Filter::kinds([EventKind::NewMessage, EventKind::CallbackQuery]).predicate(|e| e.out() != Some(true)),
        );
        bot.start_updates(false).await.unwrap();
        // The worker says when its answer is complete: the user can see its
        // effect before the bot has the server's reply.
        let (handled, handled_rx) = mpsc::channel();
        let worker = {
            let bot = bot.clone();
            thread::spawn(move || {
                pollster::block_on(async move {
                    let mut answered = Vec::new();
                    while let Some(ev) = inbox.next().await {
                        match ev {
                            Event::NewMessage(m) if m.text == "/start" => {
                                let menu = Markup::inline([vec![
                                    Button::callback("Go", "go"),
                                    Button::url("Web", "https://example.org"),
                                ]]);
                                let o = SendOptions {
                                    buttons: Some(menu),
                                    ..Default::default()
                                };
                                bot.send_message_with(m.chat_id, "menu", o).await.unwrap();
                            }
                            Event::CallbackQuery(q) => {
                                answered.push((q.user_id, q.chat_id, q.data_str().unwrap_or_default().to_owned()));
                                q.answer(&bot, CallbackAnswer::alert("going")).await.unwrap();
                                let o = EditOptions {
                                    buttons: Some(Markup::inline([[Button::callback("Again", "again")]])),
                                    ..Default::default()
                                };
                                bot.edit_message_with(q.chat_id, q.msg_id, "chosen", o).await.unwrap();
                                handled.send(()).unwrap();
                            }
                            _ => {}
                        }
                    }
                    answered
                })
            })
        };

        let (user, me) = login_user(&emu, "9996621101", "Uma", "uma_rs").await;
        let mut from_bot = user.events_filtered(
            Filter::kinds([EventKind::NewMessage, EventKind::MessageEdited])
                .chats([bot_me.id])
                .incoming(),
        );
        user.start_updates(false).await.unwrap();
        user.send_message("@menu_rs_bot", "/start").await.unwrap();
        let menu = wait_for(&mut from_bot, |e| match e {
            Event::NewMessage(m) => Some(m.clone()),
            _ => None,
        })
        .await;
        assert_eq!(menu.text, "menu");
        let buttons = menu.buttons();
        assert_eq!(buttons.len(), 1);
        assert_eq!(buttons[0][0], Button::callback("Go", "go"));
        assert_eq!(buttons[0][1].kind, ButtonKind::Url("https://example.org".into()));

        // A URL button gives its link without asking the bot.
        match user.click(bot_me.id, menu.id, ButtonRef::At(0, 1)).await.unwrap() {
            ClickResult::Url { text, url } => assert_eq!((text.as_str(), url.as_str()), ("Web", "https://example.org")),
            other => panic!("{other:?}"),
        }
        // A missing button is an error naming it.
        let e = user
            .click(bot_me.id, menu.id, ButtonRef::Text("Nope".into()))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("Nope"), "{e:?}");

        // The callback button: the bot answers, then edits the message's buttons.
        match user
            .click("@menu_rs_bot", menu.id, ButtonRef::Data(b"go".to_vec()))
            .await
            .unwrap()
        {
            ClickResult::Answer { text, answer } => {
                assert_eq!(text, "Go");
                assert_eq!((answer.message.as_deref(), answer.alert), (Some("going"), true));
            }
            other => panic!("{other:?}"),
        }
        let edited = wait_for(&mut from_bot, |e| match e {
            Event::MessageEdited(m) => Some(m.clone()),
            _ => None,
        })
        .await;
        assert_eq!((edited.id, edited.text.as_str()), (menu.id, "chosen"));
        assert_eq!(edited.buttons(), [[Button::callback("Again", "again")]]);

        // Bad buttons are refused before anything is sent, naming the button.
        let bad = SendOptions {
            buttons: Some(Markup::inline([[Button::callback("Big", vec![7u8; 65])]])),
            ..Default::default()
        };
        match bot.send_message_with(me.id, "x", bad).await {
            Err(Error::InvalidArgument(m)) => assert!(m.contains("Big") && m.contains("64"), "{m}"),
            other => panic!("{other:?}"),
        }

        handled_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        bot.close();
        assert_eq!(worker.join().unwrap(), [(me.id, me.id, "go".to_owned())]);
    });
}

#[test]
fn a_message_sent_through_inline_mode_is_edited_by_its_bot() {
    let emu = Emulator::start().unwrap();
    run(40, async {
        let (bot, _) = login_bot(&emu, "edin_rs_bot").await;
        let bot = Arc::new(bot);
        let mut inbox = bot.events_filtered(Filter::kinds([EventKind::InlineQuery, EventKind::CallbackQuery]));
        bot.start_updates(false).await.unwrap();
        let worker = {
            let bot = bot.clone();
            thread::spawn(move || {
                pollster::block_on(async move {
                    while let Some(ev) = inbox.next().await {
                        match ev {
                            Event::InlineQuery(q) => {
                                let article = InlineArticle {
                                    buttons: Some(Markup::inline([[Button::callback("Up", "up")]])),
                                    ..InlineArticle::new("v", "Vote", "vote?")
                                };
                                q.answer(&bot, vec![article], InlineAnswerOptions::default())
                                    .await
                                    .unwrap();
                            }
                            Event::CallbackQuery(q) => {
                                q.answer(&bot, CallbackAnswer::default()).await.unwrap();
                                let o = EditOptions {
                                    parse_mode: Some("markdown".into()),
                                    buttons: Some(Markup::inline([[Button::callback("Up again", "up")]])),
                                    ..Default::default()
                                };
                                q.edit(&bot, "**1** vote", o).await.unwrap();
                                return Some(q);
                            }
                            _ => {}
                        }
                    }
                    None
                })
            })
        };
        let (user, _) = login_user(&emu, "9996621211", "Ola", "ola_rs").await;
        let (friend, _) = login_user(&emu, "9996621212", "Per", "per_rs").await;
        let res = user.inline_query("@edin_rs_bot", "@per_rs", "x", "").await.unwrap();
        let id = user.send_inline_result("@per_rs", &res, "v", None).await.unwrap();
        let theirs = friend
            .get_history("@ola_rs", polygram::HistoryOptions::default())
            .await
            .unwrap()[0]
            .id;
        friend
            .click("@ola_rs", theirs, ButtonRef::Data(b"up".to_vec()))
            .await
            .unwrap();
        let q = worker.join().unwrap().expect("a callback query");
        assert_eq!(q.chat_id, 0);
        let inline_id = q.inline_message_id.clone().expect("an inline message id");
        assert_eq!(inline_id["_"].as_str(), Some("inputBotInlineMessageID"));
        // The bot's edit has returned: both sides have the new text.
        let seen = user.get_messages("@per_rs", &[id]).await.unwrap().remove(0);
        assert_eq!(seen.text, "1 vote");
        assert_eq!(seen.raw["entities"][0]["_"].as_str(), Some("messageEntityBold"));

        // Only the buttons; then errors: a user may not, a wrong id is refused here.
        let only_buttons = EditOptions {
            buttons: Some(Markup::inline([[Button::callback("Closed", "closed")]])),
            ..Default::default()
        };
        bot.edit_inline_message(&inline_id, "", only_buttons).await.unwrap();
        match user.edit_inline_message(&inline_id, "x", EditOptions::default()).await {
            Err(Error::Rpc { name, .. }) => assert_eq!(name, "USER_BOT_REQUIRED"),
            other => panic!("a user's edit: {other:?}"),
        }
        assert!(matches!(
            bot.edit_inline_message(&tl("inputPeerSelf", []), "x", EditOptions::default())
                .await,
            Err(Error::InvalidArgument(_))
        ));
    });
}

#[test]
fn inline_query_answered_by_the_bot_and_its_result_sent_by_the_user() {
    let emu = Emulator::start().unwrap();
    run(40, async {
        let (bot, bot_me) = login_bot(&emu, "inl_rs_bot").await;
        let bot = Arc::new(bot);
        let mut queries = bot.events_filtered(Filter::kinds([EventKind::InlineQuery]));
        bot.start_updates(false).await.unwrap();
        let (handled, handled_rx) = mpsc::channel();
        let worker = {
            let bot = bot.clone();
            thread::spawn(move || {
                pollster::block_on(async move {
                    let mut seen = Vec::new();
                    while let Some(Event::InlineQuery(q)) = queries.next().await {
                        seen.push((q.user_id, q.query.clone()));
                        let article = InlineArticle {
                            parse_mode: Some("markdown".into()),
                            description: "echoes".into(),
                            ..InlineArticle::new("r1", "Echo", &format!("__{}__", q.query))
                        };
                        let o = InlineAnswerOptions {
                            next_offset: "more".into(),
                            ..Default::default()
                        };
                        q.answer(&bot, vec![article], o).await.unwrap();
                        handled.send(()).unwrap();
                    }
                    seen
                })
            })
        };

        let (user, me) = login_user(&emu, "9996621201", "Ida", "ida_rs").await;
        let (friend, _) = login_user(&emu, "9996621202", "Fen", "fen_rs").await;
        let res = user.inline_query("@inl_rs_bot", "@fen_rs", "hey", "").await.unwrap();
        assert_eq!(res.bot.marked_id, bot_me.id);
        assert_eq!(res.next_offset, "more");
        assert_eq!(res.results.len(), 1);
        let r = &res.results[0];
        assert_eq!(
            (r.id.as_str(), r.title.as_str(), r.description.as_str(), r.text.as_str()),
            ("r1", "Echo", "echoes", "hey")
        );
        let id = user.send_inline_result("@fen_rs", &res, "r1", None).await.unwrap();
        assert!(id > 0);
        let got = friend
            .get_history("@ida_rs", polygram::HistoryOptions::default())
            .await
            .unwrap();
        assert_eq!(got[0].text, "hey");
        assert_eq!(got[0].raw["entities"][0]["_"].as_str(), Some("messageEntityItalic"));
        assert!(matches!(
            user.send_inline_result("@fen_rs", &res, "r9", None).await,
            Err(Error::InvalidArgument(_))
        ));
        handled_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        bot.close();
        assert_eq!(worker.join().unwrap(), [(me.id, "hey".to_owned())]);
    });
}

#[test]
fn chat_actions_typing_and_read_receipts_are_typed_events() {
    let emu = Emulator::start().unwrap();
    run(40, async {
        let (a, a_me) = login_user(&emu, "9996621301", "Ann", "ann_ca_rs").await;
        let (b, b_me) = login_user(&emu, "9996621302", "Bob", "bob_ca_rs").await;
        let (c, c_me) = login_user(&emu, "9996621303", "Cal", "cal_ca_rs").await;
        let mut ev = a.events_filtered(Filter::kinds([
            EventKind::ChatAction,
            EventKind::UserUpdate,
            EventKind::MessageRead,
        ]));
        a.start_updates(false).await.unwrap();

        // Typing.
        b.typing("@ann_ca_rs", false).await.unwrap();
        let t = wait_for(&mut ev, |e| match e {
            Event::UserUpdate(u) if u.is_typing() => Some(u.clone()),
            _ => None,
        })
        .await;
        assert_eq!((t.user_id, t.chat_id, t.is_status()), (b_me.id, b_me.id, false));

        // A read receipt: Bob reads what Ann sent.
        let sent = a.send_message("@bob_ca_rs", "read me").await.unwrap();
        b.send_read_acknowledge("@ann_ca_rs", 0).await.unwrap();
        let r = wait_for(&mut ev, |e| match e {
            Event::MessageRead(r) if r.outbox => Some(r.clone()),
            _ => None,
        })
        .await;
        assert_eq!((r.chat_id, r.max_id), (b_me.id, sent));

        // A basic group: created, then renamed by Bob.
        let group = emu.create_chat(a_me.id, "Team", &[b_me.id]).unwrap();
        assert!(group < 0);
        let mut in_group = a.events_filtered(Filter::kinds([EventKind::ChatAction]).chats([group]));
        let created = wait_for(&mut ev, |e| match e {
            Event::ChatAction(x) if x.kind == ChatActionKind::Created => Some(x.clone()),
            _ => None,
        })
        .await;
        assert_eq!((created.chat_id, created.title.as_str()), (group, "Team"));
        assert_eq!(created.sender_id, a_me.id);
        b.invoke(&tl(
            "messages.editChatTitle",
            [("chat_id", Value::from(-group)), ("title", Value::from("Dream team"))],
        ))
        .await
        .unwrap();
        let renamed = wait_for(&mut in_group, |e| match e {
            Event::ChatAction(x) if x.kind == ChatActionKind::Title => Some(x.clone()),
            _ => None,
        })
        .await;
        assert_eq!((renamed.title.as_str(), renamed.sender_id), ("Dream team", b_me.id));
        assert_eq!(
            renamed.message["action"]["_"].as_str(),
            Some("messageActionChatEditTitle")
        );

        // A supergroup Cal joins by its username.
        let sup = emu
            .create_channel(a_me.id, "Super", "super_ca_rs", true, &[b_me.id])
            .unwrap();
        let p = c.resolve_peer("@super_ca_rs").await.unwrap();
        assert_eq!(p.marked_id, sup);
        let channel = tl(
            "inputChannel",
            [
                ("channel_id", Value::from(p.id)),
                ("access_hash", Value::from(p.access_hash)),
            ],
        );
        c.invoke(&tl("channels.joinChannel", [("channel", channel)]))
            .await
            .unwrap();
        let joined = wait_for(&mut ev, |e| match e {
            Event::ChatAction(x) if x.kind == ChatActionKind::Joined => Some(x.clone()),
            _ => None,
        })
        .await;
        assert_eq!((joined.chat_id, joined.user_ids.as_slice()), (sup, &[c_me.id][..]));
        // The group's stream saw only the group's actions.
        while let Ok(Some(e)) = in_group.next_blocking(Duration::from_millis(100)) {
            assert_eq!(e.chat_id(), Some(group), "{e:?}");
        }
    });
}

#[test]
fn an_album_arrives_as_one_event_and_its_thumbnails_download() {
    let emu = Emulator::start().unwrap();
    run(40, async {
        let (a, a_me) = login_user(&emu, "9996621401", "Alf", "alf_rs").await;
        let (b, _) = login_user(&emu, "9996621402", "Bea", "bea_rs").await;
        let mut inbox = b.events_filtered(Filter::kinds([EventKind::NewMessage, EventKind::Album]).incoming());
        b.start_updates(false).await.unwrap();
        let items = [
            AlbumItem::bytes(png(30, 20))
                .kind(MediaKind::Photo)
                .caption("**one**")
                .parse_mode("markdown"),
            AlbumItem::bytes(png(20, 30)).kind(MediaKind::Photo).caption("two"),
        ];
        let ids = a.send_album("@bea_rs", items, AlbumOptions::default()).await.unwrap();
        assert_eq!(ids.len(), 2);
        let album = match inbox.next().await.unwrap() {
            Event::Album(al) => al,
            other => panic!("the album's messages came apart: {other:?}"),
        };
        let texts: Vec<&str> = album.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["one", "two"]);
        assert_eq!((album.chat_id, album.sender_id, album.out), (a_me.id, a_me.id, false));
        assert!(album.grouped_id != 0);
        for m in &album.messages {
            assert!(m.has_media && m.grouped_id == Some(album.grouped_id), "{m:?}");
            assert_eq!(m.chat_id, a_me.id);
        }
        assert!(
            matches!(inbox.next_blocking(Duration::from_millis(300)), Err(Error::Timeout)),
            "no NewMessage repeats the album"
        );
        let thumb = b
            .download_thumbnail("@alf_rs", album.messages[0].id, "s")
            .await
            .unwrap();
        assert_eq!(&thumb[..2], [0xFF, 0xD8], "a JPEG thumbnail");

        match a
            .send_album("@bea_rs", [AlbumItem::bytes(png(4, 4))], AlbumOptions::default())
            .await
        {
            Err(Error::InvalidArgument(m)) => assert!(m.contains("2 to 10"), "{m}"),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn profile_photos_byte_ranges_and_bot_api_file_ids() {
    let emu = Emulator::start().unwrap();
    let dir = std::env::temp_dir().join(format!("polygram-rs-files2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    run(60, async {
        let (a, a_me) = login_user(&emu, "9996621501", "Pia", "pia_rs").await;
        let (b, _) = login_user(&emu, "9996621502", "Rex", "rex_rs").await;

        // Pia sets a profile photo (raw calls); Rex downloads it.
        let pic = png(200, 200);
        let saved = a
            .invoke(&tl(
                "upload.saveFilePart",
                [
                    ("file_id", Value::from(4242)),
                    ("file_part", Value::from(0)),
                    ("bytes", Value::Binary(pic.clone())),
                ],
            ))
            .await
            .unwrap();
        assert_eq!(saved.as_bool(), Some(true), "{saved}");
        let file = tl(
            "inputFile",
            [
                ("id", Value::from(4242)),
                ("parts", Value::from(1)),
                ("name", Value::from("me.png")),
                ("md5_checksum", Value::from("")),
            ],
        );
        a.invoke(&tl("photos.uploadProfilePhoto", [("file", file)]))
            .await
            .unwrap();
        assert_eq!(b.download_profile_photo("@pia_rs", true).await.unwrap(), pic);
        let small = b.download_profile_photo(a_me.id, false).await.unwrap();
        assert!(!small.is_empty() && small != pic);
        let path = b.download_profile_photo_to("@pia_rs", true, &dir).await.unwrap();
        assert!(path.starts_with(&dir), "{path:?}");
        assert_eq!(std::fs::read(&path).unwrap(), pic);
        assert!(matches!(
            b.download_profile_photo("@rex_rs", true).await,
            Err(Error::Failed(_) | Error::Rpc { .. } | Error::InvalidArgument(_))
        ));

        // A document with a formatted caption, read back in ranges.
        let data: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        let bold = tl(
            "messageEntityBold",
            [("offset", Value::from(0)), ("length", Value::from(4))],
        );
        let id = a
            .send_file(
                "@rex_rs",
                SendFile::bytes(data.clone())
                    .name("r.bin")
                    .caption("bold tail")
                    .entities(vec![bold]),
            )
            .await
            .unwrap();
        let m = a.get_messages("@rex_rs", &[id]).await.unwrap().remove(0);
        assert_eq!(m.text, "bold tail");
        assert_eq!(m.raw["entities"][0]["_"].as_str(), Some("messageEntityBold"));
        let start = (1 << 17) - 3;
        assert_eq!(
            a.download_range("@rex_rs", id, start as u64, 10).await.unwrap(),
            &data[start..start + 10]
        );
        let tail = dir.join("tail.bin");
        let n = a.download_range_to("@rex_rs", id, 299_990, None, &tail).await.unwrap();
        assert_eq!(n, 10);
        assert_eq!(std::fs::read(&tail).unwrap(), &data[299_990..]);

        // Bot API file ids: from the message, decoded, downloaded.
        let ids = a.file_ids("@rex_rs", id).await.unwrap();
        let info = a.decode_file_id(&ids.file_id).await.unwrap();
        assert_eq!(
            (info.kind.as_str(), info.file_unique_id.as_str()),
            ("document", ids.file_unique_id.as_str())
        );
        assert!(info.id != 0 && info.dc_id > 0);
        assert_eq!(b.download_file_id(&ids.file_id).await.unwrap(), data);
        let by_id = dir.join("by-id.bin");
        assert_eq!(
            b.download_file_id_to(&ids.file_id, &by_id).await.unwrap(),
            data.len() as u64
        );
        assert_eq!(std::fs::read(&by_id).unwrap(), data);
        match a.decode_file_id("nope").await {
            Err(Error::InvalidArgument(m)) => assert!(m.contains("file id"), "{m}"),
            other => panic!("{other:?}"),
        }
    });
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn participants_are_paged_filtered_and_streamed() {
    let emu = Emulator::start().unwrap();
    let owner_phone = "9996621600";
    let owner = emu.create_user(owner_phone, "Owner", "", "owner_pp_rs").unwrap();
    let members: Vec<i64> = (1..=230)
        .map(|i| {
            emu.create_user(&format!("99966{:05}", 21600 + i), &format!("Member{i}"), "", "")
                .unwrap()
                .id
        })
        .collect();
    let big = emu
        .create_channel(owner.id, "Big", "big_pp_rs", true, &members)
        .unwrap();
    let small = emu.create_chat(owner.id, "Small", &members[..2]).unwrap();
    run(60, async {
        let c = emu.client().unwrap();
        c.login_phone(owner_phone, |_| emu.login_code(owner_phone).unwrap(), |_| None)
            .await
            .unwrap();
        // More than one page of 200.
        let all = c
            .get_participants("@big_pp_rs", ParticipantsOptions::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 231);
        let mut ids: Vec<i64> = all.iter().map(|p| p.user_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 231, "no member twice across pages");
        let creators: Vec<_> = all.iter().filter(|p| p.creator).collect();
        assert_eq!(creators.len(), 1);
        assert_eq!(creators[0].user_id, owner.id);
        assert!(all
            .iter()
            .any(|p| p.user.as_ref().is_some_and(|u| u.first_name == "Member230")));

        let mut stream = c.iter_participants(big, ParticipantsOptions::default());
        let mut n = 0;
        while let Some(p) = stream.next().await {
            p.unwrap();
            n += 1;
        }
        assert_eq!(n, 231);
        let o = ParticipantsOptions {
            limit: Some(5),
            ..Default::default()
        };
        assert_eq!(c.get_participants(big, o).await.unwrap().len(), 5);
        let admins = ParticipantsOptions {
            filter: ParticipantFilter::Admins,
            ..Default::default()
        };
        let admins = c.get_participants(big, admins).await.unwrap();
        assert_eq!(admins.iter().map(|p| p.user_id).collect::<Vec<_>>(), [owner.id]);
        let search = ParticipantsOptions {
            search: Some("Member12".into()),
            ..Default::default()
        };
        let found = c.get_participants(big, search).await.unwrap();
        assert_eq!(found.len(), 11, "Member12 and Member120 to Member129");

        // A basic group.
        let in_small = c.get_participants(small, ParticipantsOptions::default()).await.unwrap();
        assert_eq!(in_small.len(), 3);

        let mut bad = c.iter_participants("@nobody_by_this_name", ParticipantsOptions::default());
        assert!(matches!(bad.next().await, Some(Err(Error::PeerNotFound(_)))));
        assert!(bad.next().await.is_none());
    });
}

#[test]
fn scheduled_messages_pins_archive_and_message_iteration() {
    let emu = Emulator::start().unwrap();
    run(60, async {
        let (a, a_me) = login_user(&emu, "9996621701", "Sam", "sam_rs").await;
        let tia = emu.create_user("9996621702", "Tia", "", "tia_rs").unwrap();
        for i in 0..30 {
            emu.send_message(tia.id, a_me.id, &format!("n{i}")).unwrap();
        }
        a.send_message("@tia_rs", "mine").await.unwrap();

        // Oldest first, in pages of 7.
        let o = MessageIterOptions {
            reverse: true,
            page_size: 7,
            ..Default::default()
        };
        let mut it = a.iter_messages_with("@tia_rs", o);
        let mut all = Vec::new();
        while let Some(m) = it.next().await {
            all.push(m.unwrap());
        }
        let texts: Vec<&str> = all.iter().map(|m| m.text.as_str()).collect();
        let mut want: Vec<String> = (0..30).map(|i| format!("n{i}")).collect();
        want.push("mine".into());
        assert_eq!(texts, want);
        let ids: Vec<i32> = all.iter().map(|m| m.id).collect();

        // From one sender, with a search, newest first, pages of 4.
        let o = MessageIterOptions {
            from_user: Some("@tia_rs".into()),
            search: Some("n1".into()),
            page_size: 4,
            ..Default::default()
        };
        let mut it = a.iter_messages_with("@tia_rs", o);
        let mut found = Vec::new();
        while let Some(m) = it.next().await {
            found.push(m.unwrap().text);
        }
        assert_eq!(found.len(), 11, "{found:?}");
        assert_eq!(found[0], "n19");
        assert_eq!(found[10], "n1");

        // Id bounds (exclusive) and a limit from an offset.
        let o = MessageIterOptions {
            min_id: ids[5],
            max_id: ids[10],
            ..Default::default()
        };
        let mut it = a.iter_messages_with("@tia_rs", o);
        let mut between = Vec::new();
        while let Some(m) = it.next().await {
            between.push(m.unwrap().text);
        }
        assert_eq!(between, ["n9", "n8", "n7", "n6"]);
        let o = MessageIterOptions {
            limit: Some(3),
            offset_id: ids[20],
            page_size: 2,
            ..Default::default()
        };
        let mut it = a.iter_messages_with("@tia_rs", o);
        let mut below = Vec::new();
        while let Some(m) = it.next().await {
            below.push(m.unwrap().text);
        }
        assert_eq!(below, ["n19", "n18", "n17"]);

        // Scheduled messages.
        let tomorrow = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64 + 86_400;
        let later = SendOptions {
            schedule: Some(tomorrow),
            ..Default::default()
        };
        let sid = a.send_message_with("@tia_rs", "tomorrow", later.clone()).await.unwrap();
        let sched = a.get_scheduled_messages("@tia_rs").await.unwrap();
        assert_eq!(sched.len(), 1);
        assert_eq!(
            (sched[0].id, sched[0].text.as_str(), sched[0].date),
            (sid, "tomorrow", tomorrow)
        );
        a.send_scheduled_now("@tia_rs", &[sid]).await.unwrap();
        let hist = emu.history(tia.id, a_me.id).unwrap();
        let last = hist["messages"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["text"].as_str(), Some("tomorrow"));
        let sid2 = a.send_message_with("@tia_rs", "never", later).await.unwrap();
        a.delete_scheduled_messages("@tia_rs", &[sid2]).await.unwrap();
        assert!(a.get_scheduled_messages("@tia_rs").await.unwrap().is_empty());
        assert!(a.delete_scheduled_messages("@tia_rs", &[999]).await.is_err());

        // Pins.
        a.pin_message("@tia_rs", ids[0], true).await.unwrap();
        let pinned = a.get_pinned_messages("@tia_rs").await.unwrap();
        assert_eq!(pinned.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[0]]);
        a.unpin_message("@tia_rs", ids[0]).await.unwrap();
        assert!(a.get_pinned_messages("@tia_rs").await.unwrap().is_empty());
        a.pin_message("@tia_rs", ids[1], true).await.unwrap();
        a.pin_message("@tia_rs", ids[2], true).await.unwrap();
        assert_eq!(a.get_pinned_messages("@tia_rs").await.unwrap().len(), 2);
        a.unpin_all_messages("@tia_rs").await.unwrap();
        assert!(a.get_pinned_messages("@tia_rs").await.unwrap().is_empty());

        // The archive.
        a.archive_dialog("@tia_rs", true).await.unwrap();
        let mut arch = a.iter_dialogs_with(DialogOptions {
            archived: true,
            ..Default::default()
        });
        let mut archived = Vec::new();
        while let Some(d) = arch.next().await {
            archived.push(d.unwrap());
        }
        assert_eq!(archived.len(), 1);
        assert_eq!((archived[0].peer.marked_id, archived[0].folder), (tia.id, 1));
        let mut main = a.iter_dialogs(None);
        while let Some(d) = main.next().await {
            assert_ne!(
                d.unwrap().peer.marked_id,
                tia.id,
                "archived dialogs leave the main list"
            );
        }
        a.archive_dialog("@tia_rs", false).await.unwrap();
        let back = a.get_dialogs(0).await.unwrap();
        assert!(back.iter().any(|d| d.peer.marked_id == tia.id && d.folder == 0));
    });
}

/// Whether the loaded library has the 0.2 additions (progress events and
/// the error list arrived together); older ones skip those tests, saying so.
fn library_is_0_2() -> bool {
    let yes = polygram::sys::polygram_errors_fn().is_some();
    if !yes {
        eprintln!("skipped: the loaded libpolygram predates progress events and polygram_errors");
    }
    yes
}

/// Checks a transfer's reports: `done` never decreases, the last has
/// `done == total == size`.
fn check_reports(reports: &[polygram::Progress], size: u64) {
    assert!(reports.len() >= 2, "{reports:?}");
    assert!(reports.windows(2).all(|w| w[0].done <= w[1].done), "{reports:?}");
    let last = reports.last().unwrap();
    assert_eq!((last.done, last.total), (size, Some(size)), "{reports:?}");
}

#[test]
fn transfers_report_progress_to_a_callback_or_a_channel() {
    if !library_is_0_2() {
        return;
    }
    let emu = Emulator::start().unwrap();
    run(60, async {
        let (a, _) = login_user(&emu, "9996621801", "Pro", "pro_rs").await;
        let (_b, _) = login_user(&emu, "9996621802", "Gus", "gus_pg_rs").await;
        let data: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 9) as u8)
            .collect();

        // An upload of 3 MB (several parts), reported to a channel.
        let (hook, rx) = ProgressHook::channel();
        let id = a
            .send_file("@gus_pg_rs", SendFile::bytes(data.clone()).name("big.bin"))
            .progress(hook)
            .await
            .unwrap();
        check_reports(&rx.try_iter().collect::<Vec<_>>(), data.len() as u64);

        // A download, reported to a callback.
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let hook = {
            let seen = seen.clone();
            ProgressHook::new(move |p| seen.lock().unwrap().push(p))
        };
        let got = a.download_media("@gus_pg_rs", id).progress(hook).await.unwrap();
        assert_eq!(got, data);
        check_reports(&seen.lock().unwrap(), data.len() as u64);

        // An album counts its files together.
        let (hook, rx) = ProgressHook::channel();
        let (p1, p2) = (png(64, 48), png(48, 64));
        let whole = (p1.len() + p2.len()) as u64;
        let items = [
            AlbumItem::bytes(p1).kind(MediaKind::Photo),
            AlbumItem::bytes(p2).kind(MediaKind::Photo),
        ];
        a.send_album("@gus_pg_rs", items, AlbumOptions::default())
            .progress(hook)
            .await
            .unwrap();
        check_reports(&rx.try_iter().collect::<Vec<_>>(), whole);

        // Without a hook nothing is asked for, and a range download still works.
        assert_eq!(a.download_range("@gus_pg_rs", id, 5, 5).await.unwrap(), &data[5..10]);
    });
}

#[test]
fn rpc_errors_come_with_the_library_s_descriptions() {
    if !library_is_0_2() {
        assert!(matches!(polygram::rpc_errors(), Err(Error::UnknownMethod(_))));
        return;
    }
    let all = polygram::rpc_errors().expect("a library with polygram_errors");
    assert!(all.len() > 100, "{}", all.len());
    assert!(all.windows(2).all(|w| w[0].name < w[1].name));
    let flood = polygram::rpc_error_info("FLOOD_WAIT_X").unwrap();
    assert!(flood.codes.contains(&420), "{flood:?}");
    assert!(polygram::rpc_error_info("NO_SUCH_ERROR_EVER").is_none());

    let emu = Emulator::start().unwrap();
    run(30, async {
        let (c, _) = login_user(&emu, "9996621901", "Err", "").await;
        let resolve = tl("contacts.resolveUsername", [("username", Value::from("bad name!"))]);
        let e = c.invoke(&resolve).await.unwrap_err();
        assert!(e.is_rpc("USERNAME_INVALID") && !e.is_rpc("FLOOD_WAIT_X"), "{e:?}");
        let info = e.rpc_info().expect("a known error");
        assert_eq!((info.name.as_str(), info.code), ("USERNAME_INVALID", 400));
        assert!(!info.description.is_empty());
        emu.fail_next("help.getNearestDc", "FLOOD_WAIT_120", 1).unwrap();
        let e = c.invoke(&tl("help.getNearestDc", [])).await.unwrap_err();
        assert_eq!(e.rpc_info(), Some(flood));
        assert_eq!(Error::Closed.rpc_info(), None);
    });
}
