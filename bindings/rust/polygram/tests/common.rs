//! Test helpers: a deadline-guarded block_on and login shortcuts.

#![allow(dead_code)]

use polygram::{Client, Emulator, User};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Runs a future to completion on this thread, failing the whole test
/// process if it takes longer than `secs` (a hung test must not hang CI).
pub fn run<F: Future>(secs: u64, f: F) -> F::Output {
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let name = std::thread::current().name().unwrap_or("test").to_owned();
    std::thread::spawn(move || {
        let step = Duration::from_millis(50);
        for _ in 0..secs * 20 {
            std::thread::sleep(step);
            if flag.load(Ordering::Acquire) {
                return;
            }
        }
        eprintln!("{name}: no result after {secs} s");
        std::process::exit(101);
    });
    // Set on return and on unwind alike, so a failed assertion reports
    // normally instead of tripping the deadline later.
    struct Done(Arc<AtomicBool>);
    impl Drop for Done {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
        }
    }
    let _done = Done(done);
    pollster::block_on(f)
}

/// Creates a user on the emulator and logs a new client in with its phone code.
pub async fn login_user(emu: &Emulator, phone: &str, first_name: &str, username: &str) -> (Client, User) {
    emu.create_user(phone, first_name, "", username).expect("create_user");
    let c = emu.client().expect("client");
    let code = c.send_code(phone).await.expect("send_code");
    let me = c
        .sign_in(&code, &emu.login_code(phone).unwrap())
        .await
        .expect("sign_in");
    (c, me)
}

/// Creates a bot and logs a new client in with its token.
pub async fn login_bot(emu: &Emulator, username: &str) -> (Client, User) {
    let (_, token) = emu.create_bot(username, "Bot").expect("create_bot");
    let c = emu.client().expect("client");
    let me = c.sign_in_bot(&token).await.expect("sign_in_bot");
    (c, me)
}
