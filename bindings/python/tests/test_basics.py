from __future__ import annotations

import os
import subprocess
import sys

import pytest

import polygram
from polygram import Client, TLObject, _lib, errors


def test_version_and_layer() -> None:
    assert polygram.version().count(".") == 2
    assert polygram.layer() > 100


def test_library_not_found_names_every_path() -> None:
    paths = ["/nonexistent/a/libpolygram.so", "/nonexistent/b/libpolygram.so"]
    with pytest.raises(polygram.LibraryNotFoundError) as info:
        _lib.load(paths)
    msg = str(info.value)
    for p in paths:
        assert p in msg
    assert "make lib" in msg and "POLYGRAM_LIBRARY" in msg
    assert info.value.tried[0].startswith(paths[0])


def test_default_search_lists_package_dir_and_build_dirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLYGRAM_LIBRARY", raising=False)
    paths, from_env = _lib.candidate_paths()
    assert not from_env
    pkg = os.path.dirname(os.path.abspath(polygram.__file__))
    assert paths[0] == os.path.join(pkg, _lib.LIBRARY_NAME)
    assert any(p.endswith(os.path.join("build", _lib.LIBRARY_NAME)) for p in paths[1:])


def test_polygram_library_env_that_is_wrong_fails_loudly() -> None:
    env = dict(os.environ, POLYGRAM_LIBRARY="/nowhere/libpolygram.so")
    code = "import polygram\ntry:\n    polygram.version()\nexcept polygram.LibraryNotFoundError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "/nowhere/libpolygram.so" in out.stdout
    assert "POLYGRAM_LIBRARY is set" in out.stdout


def test_polygram_library_env_is_used() -> None:
    lib = _lib.lib()
    env = dict(os.environ, POLYGRAM_LIBRARY=lib._name)
    out = subprocess.run([sys.executable, "-c", "import polygram; print(polygram.version())"], env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.strip() == polygram.version()


def test_unknown_config_key_is_an_error() -> None:
    with pytest.raises(errors.InvalidArgumentError) as info:
        Client(None, 1, "x", no_such_option=1)
    assert "no_such_option" in str(info.value)


def test_tl_conversion_round_trip() -> None:
    tl = polygram.dict_to_tl({"_": "help.getNearestDc"})
    assert len(tl) == 4
    assert polygram.tl_to_dict(tl) == {"_": "help.getNearestDc"}
    with pytest.raises(errors.PolygramError):
        polygram.tl_to_dict(b"\x01\x02")


def test_tlobject_attribute_access() -> None:
    o = TLObject({"_": "user", "id": 5, "status": {"_": "userStatusRecently"}, "tags": [{"a": 1}]})
    assert o.tl_name == "user" and o.id == 5 and o["id"] == 5
    assert o.status.tl_name == "userStatusRecently"
    assert o.tags[0].a == 1
    assert o.username is None
    assert o == {"_": "user", "id": 5, "status": {"_": "userStatusRecently"}, "tags": [{"a": 1}]}


def test_ping_local_without_network(run) -> None:
    async def main() -> None:
        c = Client(None, 1, "x")
        try:
            assert await c.ping_local({"n": 1, "b": b"\x00\xff"}) == {"n": 1, "b": b"\x00\xff"}
        finally:
            await c.disconnect()
    run(main())


def test_error_mapping() -> None:
    e = errors.error_from_map({"status": 10, "code": 420, "name": "FLOOD_WAIT_X", "message": "m", "seconds": 7})
    assert isinstance(e, errors.FloodWaitError) and isinstance(e, errors.RPCError) and e.seconds == 7
    e = errors.error_from_map({"status": 9, "code": 400, "name": "CHAT_ADMIN_REQUIRED", "message": "m",
                               "method": "x.y"})
    assert isinstance(e, errors.BadRequestError) and e.method == "x.y" and e.code == 400
    e = errors.error_from_map({"status": 5, "code": 5, "name": "CLOSED", "message": "closed"})
    assert isinstance(e, errors.ClosedError)
