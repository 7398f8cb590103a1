//! The raw Telegram API from Rust against the bundled emulator: any function
//! of the schema as a msgpack map (`invoke`) or as TL bytes (`invoke_raw`),
//! and Telegram's errors as values of `polygram::Error`.
//!
//!     cargo run --example raw_api      (in bindings/rust)

use polygram::{map, Error, Value};

fn main() -> polygram::Result<()> {
    pollster::block_on(async {
        let emu = polygram::Emulator::start()?;
        let phone = "9996624567";
        emu.create_user(phone, "Gus", "", "gus_raw")?;
        let client = emu.client()?;
        let code = client.send_code(phone).await?;
        client.sign_in(&code, &emu.login_code(phone)?).await?;

        // A request as a map: "_" names the function, the other keys are its
        // fields; the result comes back as a map of the same shape.
        let nearest = client
            .invoke(&map([("_", Value::from("help.getNearestDc"))]))
            .await?;
        println!("help.getNearestDc -> this_dc {}", nearest["this_dc"]);

        let resolved = client
            .invoke(&map([
                ("_", Value::from("contacts.resolveUsername")),
                ("username", Value::from("gus_raw")),
            ]))
            .await?;
        println!(
            "contacts.resolveUsername -> {} user(s), the first is {}",
            resolved["users"].as_array().map_or(0, |u| u.len()),
            resolved["users"][0]["first_name"]
        );

        // The same as TL bytes, for programs with their own TL codec.
        let tl = polygram::msgpack_to_tl(&map([("_", Value::from("help.getNearestDc"))]))?;
        let answer = client.invoke_raw(&tl).await?;
        println!(
            "raw TL: {} bytes out, {} bytes back ({})",
            tl.len(),
            answer.len(),
            polygram::tl_to_msgpack(&answer)?["_"]
        );

        // Errors are values to match on.
        match client
            .invoke(&map([
                ("_", Value::from("contacts.resolveUsername")),
                ("username", Value::from("nobody_has_this_name")),
            ]))
            .await
        {
            Err(Error::Rpc { code, name, .. }) => {
                println!("resolving a missing name: {code} {name}")
            }
            other => panic!("expected an RPC error, got {other:?}"),
        }
        // A flood wait longer than flood_sleep_threshold (60 s by default)
        // comes back instead of being slept through.
        emu.fail_next("help.getNearestDc", "FLOOD_WAIT_120", 1)?;
        match client
            .invoke(&map([("_", Value::from("help.getNearestDc"))]))
            .await
        {
            Err(Error::FloodWait { seconds, .. }) => println!("flood wait: retry in {seconds} s"),
            other => panic!("expected a flood wait, got {other:?}"),
        }
        // A request that does not match the schema is refused before it is sent.
        match client
            .invoke(&map([("_", Value::from("messages.getHistory"))]))
            .await
        {
            Err(Error::Decode(why)) => println!("malformed request: {why}"),
            other => panic!("expected a decode error, got {other:?}"),
        }
        Ok(())
    })
}
