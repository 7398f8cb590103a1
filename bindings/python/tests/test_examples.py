"""The examples in examples/python run against the emulator, and a Telethon
echo bot works with only its import and constructor changed."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from polygram import Emulator, events
from helpers import login_user

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "examples", "python"))


def run_example(name: str, *args: str, cwd: str = EXAMPLES) -> str:
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], capture_output=True, text=True,
                         timeout=90, cwd=cwd)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_echo_bot_example_runs() -> None:
    out = run_example("echo_bot.py")
    assert "@echo_bot -> Alice: 'echo: Hello, bot!'" in out
    assert "Hi Alice!" in out


def test_quick_start_example_runs() -> None:
    out = run_example("quick_start.py")
    assert "username: quick_starter phone: 9996621001" in out
    assert "This message has bold, code, italics and a nice website!" in out
    assert "Friend has ID" in out and "File saved to" in out and "Cool!" in out


def test_download_files_example_runs(tmp_path) -> None:
    out = run_example("download_files.py", str(tmp_path))
    assert "3 files in" in out and "list.txt: 26 bytes, text/plain" in out
    assert (tmp_path / "list.txt").read_bytes() == b"shopping list: bread, tea\n"
    assert (tmp_path / "blob.bin").stat().st_size == 300_000


def test_buttons_bot_example_runs() -> None:
    out = run_example("buttons_bot.py")
    assert "[Yes] | [No]" in out and "link button -> https://example.org/polygram" in out
    assert "pressed No -> 'Tell us why, please.' (alert: True)" in out
    assert "edited: You voted no." in out and "sent to Bob: HELLO FROM INLINE MODE" in out


def test_pytest_fixture_example_passes() -> None:
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          os.path.join(EXAMPLES, "test_my_bot.py")], capture_output=True, text=True, timeout=60,
                         cwd=EXAMPLES)
    assert out.returncode == 0, out.stdout + out.stderr


def test_telethon_echo_bot_ports_unchanged(emulator: Emulator, new_phone, run, tmp_path) -> None:
    token = emulator.create_bot("telethon_port_bot", "Port")
    cfg = emulator.client_config()
    env = dict(os.environ, API_ID=str(cfg.pop("api_id")), API_HASH=str(cfg.pop("api_hash")), BOT_TOKEN=token,
               POLYGRAM_CLIENT_CONFIG=json.dumps(cfg))
    proc = subprocess.Popen([sys.executable, os.path.join(EXAMPLES, "telethon_echo_bot.py")], cwd=str(tmp_path),
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        async def main() -> Any:
            user = await login_user(emulator, new_phone(2), "Tess")
            got: "asyncio.Queue[str]" = asyncio.Queue()
            user.add_event_handler(lambda e: got.put_nowait(e.text), events.NewMessage(incoming=True))
            answers = []
            try:
                # The bot logs in inside the subprocess; wait for its session file and the login.
                for _ in range(100):
                    if os.path.exists(tmp_path / "bot.session"):
                        break
                    assert proc.poll() is None, proc.communicate()[1]
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.5)
                for text in ("/start", "hello there", "and again"):
                    await user.send_message("@telethon_port_bot", text)
                    answers.append(await asyncio.wait_for(got.get(), 10))
                return answers
            finally:
                await user.disconnect()
        answers = run(main(), timeout=60)
        if answers != ["Hi!", "hello there", "and again"]:
            proc.terminate()
            pytest.fail(f"answers {answers}; bot output: {proc.communicate()}")
        assert os.path.exists(tmp_path / "bot.session")   # Telethon's session name, as a file
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
