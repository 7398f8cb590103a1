//! Files against the bundled emulator: a user uploads a 3 MB document to
//! Saved Messages with upload progress, downloads it back (to memory and to a
//! file) with download progress, checks the bytes, and fetches it once more
//! by its Bot API `file_id`.
//!
//!     cargo run --example files      (in bindings/rust)
//!
//! Against Telegram, log in with `Config::new(api_id, api_hash)` instead of
//! the emulator's client; everything else is the same.

use polygram::{Emulator, HistoryOptions, ProgressHook, SendFile};

fn main() -> polygram::Result<()> {
    pollster::block_on(async {
        let emu = Emulator::start()?;
        let phone = "9996623456";
        emu.create_user(phone, "Fay", "", "")?;
        let client = emu.client()?;
        let code = client.send_code(phone).await?;
        client.sign_in(&code, &emu.login_code(phone)?).await?;

        // 3 MB of bytes that are easy to check.
        let data: Vec<u8> = (0..3 * 1024 * 1024u32)
            .map(|i| (i * 7 + i / 4096) as u8)
            .collect();

        // Upload, reporting progress through a callback.
        let hook = ProgressHook::new(|p| {
            if p.total == Some(p.done) {
                println!("uploaded {} bytes", p.done);
            }
        });
        let id = client
            .send_file(
                "me",
                SendFile::bytes(data.clone())
                    .name("pattern.bin")
                    .mime_type("application/octet-stream")
                    .caption("a test file"),
            )
            .progress(hook)
            .await?;
        println!("sent as message {id}");

        // Find it in the history, as a program reading a chat would.
        let history = client
            .get_history(
                "me",
                HistoryOptions {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await?;
        let msg = history
            .iter()
            .find(|m| m.has_media)
            .expect("the file's message");
        println!("message {}: {:?}, has media", msg.id, msg.text);

        // Download to memory, with progress through a channel.
        let (hook, progress) = ProgressHook::channel();
        let got = client.download_media("me", msg.id).progress(hook).await?;
        let reports: Vec<_> = progress.try_iter().collect();
        assert_eq!(got, data, "downloaded bytes differ");
        println!(
            "downloaded {} bytes to memory in {} progress reports (last: {:?} of {:?})",
            got.len(),
            reports.len(),
            reports.last().map(|p| p.done),
            reports.last().and_then(|p| p.total)
        );

        // Download to a file (created 0600).
        let path =
            std::env::temp_dir().join(format!("polygram-example-{}.bin", std::process::id()));
        let size = client.download_media_to("me", msg.id, &path).await?;
        let on_disk = std::fs::read(&path).expect("reading the downloaded file");
        std::fs::remove_file(&path).expect("removing the downloaded file");
        assert_eq!(on_disk, data, "the file's bytes differ");
        println!("downloaded {size} bytes to {}", path.display());

        // Bot API file ids: what a bot would store and send back.
        let ids = client.file_ids("me", msg.id).await?;
        println!(
            "file_id {}…, file_unique_id {}",
            &ids.file_id[..16],
            ids.file_unique_id
        );
        let again = client.download_file_id(&ids.file_id).await?;
        assert_eq!(again, data, "bytes by file_id differ");
        println!("downloaded again by file_id: {} bytes", again.len());
        Ok(())
    })
}
