//! An echo bot against the bundled emulator, end to end over real MTProto:
//! the emulator is started through the C API, a bot logs in with its token and
//! echoes every incoming text; a user logs in with a phone code, talks to it
//! and prints the answers.
//!
//!     cargo run --example echo_bot      (in bindings/rust)
//!
//! Against Telegram, replace the emulator's configuration with
//! `Config::new(api_id, api_hash)` and a real token.

use polygram::{Client, Emulator, Event, Filter, HistoryOptions, SendOptions};
use std::sync::Arc;
use std::thread;

/// Answers every incoming text message with "echo: <text>" until the client closes.
async fn run_bot(bot: Arc<Client>) -> polygram::Result<()> {
    let mut events = bot.events_filtered(Filter::new_messages().incoming());
    bot.start_updates(false).await?;
    while let Some(ev) = events.next().await {
        if let Event::NewMessage(m) = ev {
            let reply = SendOptions {
                reply_to: Some(m.id),
                ..Default::default()
            };
            bot.send_message_with(m.chat_id, &format!("echo: {}", m.text), reply)
                .await?;
        }
    }
    Ok(())
}

fn main() -> polygram::Result<()> {
    pollster::block_on(async {
        let emu = Emulator::start()?;
        let (_, token) = emu.create_bot("echo_rs_bot", "Echo")?;
        let phone = "9996621234";
        emu.create_user(phone, "Alice", "", "alice")?;

        let bot = Arc::new(emu.client()?);
        let me = bot.sign_in_bot(&token).await?;
        println!("bot @{} is up (id {})", me.username, me.id);
        let bot_thread = {
            let bot = bot.clone();
            thread::spawn(move || pollster::block_on(run_bot(bot)))
        };

        let user = emu.client()?;
        let code = user.send_code(phone).await?;
        let alice = user.sign_in(&code, &emu.login_code(phone)?).await?;
        println!("user {} logged in", alice.first_name);
        let mut replies = user.events_filtered(Filter::new_messages().incoming());
        user.start_updates(false).await?;

        for text in ["hello", "how are you?"] {
            user.send_message("@echo_rs_bot", text).await?;
            println!("alice: {text}");
            loop {
                match replies.next().await {
                    Some(Event::NewMessage(m)) => {
                        println!("bot:   {}", m.text);
                        break;
                    }
                    Some(_) => continue,
                    None => return Err(polygram::Error::Closed),
                }
            }
        }
        let history = user
            .get_history(
                "@echo_rs_bot",
                HistoryOptions {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await?;
        println!("history has {} messages", history.len());

        bot.close();
        bot_thread.join().expect("bot thread")?;
        Ok(())
    })
}
