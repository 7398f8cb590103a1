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

/// Reads events until `pick` returns something (the test's deadline bounds the wait).
pub async fn wait_for<T>(events: &mut polygram::Events, mut pick: impl FnMut(&polygram::Event) -> Option<T>) -> T {
    loop {
        let ev = events.next().await.expect("the event stream ended");
        if let Some(t) = pick(&ev) {
            return t;
        }
    }
}

/// A valid RGB PNG of `w`×`h` pixels (stored deflate blocks: no compressor
/// needed), for photos the emulator has to decode.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.extend([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8]);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, b) in blocks.iter().enumerate() {
        z.push((i + 1 == blocks.len()) as u8);
        z.extend((b.len() as u16).to_le_bytes());
        z.extend((!(b.len() as u16)).to_le_bytes());
        z.extend(*b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + x as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}
