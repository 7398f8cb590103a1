from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")


def test_echo_bot_example_runs() -> None:
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, "echo_bot.py")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "@echo_bot -> Alice: 'echo: Hello, bot!'" in out.stdout
    assert "Hi Alice!" in out.stdout


def test_pytest_fixture_example_passes() -> None:
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          os.path.join(EXAMPLES, "test_my_bot.py")], capture_output=True, text=True, timeout=60,
                         cwd=EXAMPLES)
    assert out.returncode == 0, out.stdout + out.stderr
