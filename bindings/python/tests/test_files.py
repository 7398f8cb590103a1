"""Files beyond send_file/download_media: captions with formatting, range
downloads and iter_download, thumbnails, profile photos, Bot API file ids,
progress callbacks."""
from __future__ import annotations

import hashlib
import os
import random
from typing import Any, List, Tuple

import pytest

from polygram import Emulator, _lib, errors, functions, types
from helpers import login_user
from test_updates import png


async def upload_profile_photo(client: Any, data: bytes) -> None:
    """Sets a profile photo with raw calls (upload.saveFilePart, then
    photos.uploadProfilePhoto), as a Telethon user would."""
    file_id = random.getrandbits(62)
    part = 512 * 1024
    parts = [data[i:i + part] for i in range(0, len(data), part)]
    for i, chunk in enumerate(parts):
        assert await client(functions.upload.SaveFilePartRequest(file_id=file_id, file_part=i, bytes=chunk))
    f = types.InputFile(id=file_id, parts=len(parts), name="me.png", md5_checksum=hashlib.md5(data).hexdigest())
    await client(functions.photos.UploadProfilePhotoRequest(file=f))


def test_range_downloads_and_iter_download(emulator: Emulator, new_phone, run, tmp_path) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Rae", "rae_range")
        b = await login_user(emulator, new_phone(3), "Ray", "ray_range")   # another DC: FILE_MIGRATE on the way
        try:
            data = os.urandom(3 * 1024 * 1024 + 12345)
            sent = await a.send_file("@ray_range", data, name="blob.bin", force_document=True)
            msg = await b.get_messages("@rae_range", sent.id)
            assert msg.file.size == len(data)
            assert await b.download_range(msg, 5000, 10000) == data[5000:15000]
            assert await b.download_range(msg, len(data) - 100) == data[-100:]   # to the end
            assert await b.download_range(msg.id, 1 << 20, 7, entity="@rae_range") == data[1 << 20:(1 << 20) + 7]
            assert await b.download_range(msg, 0, 0) == b""
            out = tmp_path / "part.bin"
            assert await b.download_range(msg, 100, 4096, str(out)) == str(out)
            assert out.read_bytes() == data[100:4196]

            chunks = [c async for c in b.iter_download(msg, chunk_size=1 << 20)]
            assert [len(c) for c in chunks] == [1 << 20] * 3 + [12345] and b"".join(chunks) == data
            chunks = [c async for c in b.iter_download(msg, offset=10, length=300000, chunk_size=100000)]
            assert [len(c) for c in chunks] == [100000] * 3 and b"".join(chunks) == data[10:300010]
            with pytest.raises(errors.InvalidArgumentError):
                await b.download_range(msg, -1, 10)
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=60)


def test_profile_photos_thumbnails_and_file_ids(emulator: Emulator, new_phone, run, tmp_path) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Pia", "pia_photo")
        b = await login_user(emulator, new_phone(2), "Paz", "paz_photo")
        try:
            assert await b.download_profile_photo("@pia_photo") is None        # none yet
            pic = png(400, 300)
            await upload_profile_photo(a, pic)
            big = await b.download_profile_photo("@pia_photo")
            assert big == pic                                                  # the original
            small = await b.download_profile_photo("@pia_photo", download_big=False)
            assert small[:3] == b"\xff\xd8\xff" and small != pic              # a JPEG thumbnail
            path = await b.download_profile_photo("@pia_photo", str(tmp_path))
            assert os.path.dirname(path) == str(tmp_path) and open(path, "rb").read() == pic

            sent = await a.send_file("@paz_photo", png(500, 400), caption="<b>look</b>", parse_mode="html")
            assert sent.text == "look" and sent.entities[0].tl_name == "messageEntityBold"
            msg = await b.get_messages("@pia_photo", sent.id)
            assert msg.photo is not None and msg.file.dimensions == (500, 400)
            s = await b.download_media(msg, thumb="s")
            assert s[:3] == b"\xff\xd8\xff"
            smallest = await msg.download_media(thumb=0)
            assert smallest == s
            m_size = await b.download_thumbnail(msg, thumb="m")
            assert m_size[:3] == b"\xff\xd8\xff" and len(m_size) > len(s)
            assert await b.download_media(msg, thumb=-1) == await b.download_media(msg)

            file_id, unique = await msg.get_file_ids()
            assert file_id and unique and file_id != unique
            info = await b.decode_file_id(file_id)
            assert info.type == "photo" and info.dc_id == 2 and info.id == msg.photo.id
            assert info.file_unique_id == unique
            assert await b.download_file_id(file_id) == await b.download_media(msg)
            with pytest.raises(errors.InvalidArgumentError):
                await b.decode_file_id("not a file id")
        finally:
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=60)


def test_progress_callbacks(emulator: Emulator, new_phone, run, tmp_path) -> None:
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Pro", "pro_progress")
        try:
            data = os.urandom(2 * 1024 * 1024 + 777)
            up: List[Tuple[int, int]] = []
            sent = await a.send_file("me", data, name="big.bin", force_document=True,
                                     progress_callback=lambda d, t: up.append((d, t)))
            down: List[Tuple[int, int]] = []

            async def on_down(d: int, t: int) -> None:    # coroutine callbacks work too
                down.append((d, t))
            msg = await a.get_messages("me", sent.id)
            path = await msg.download_media(str(tmp_path / "big.bin"), progress_callback=on_down)
            assert open(path, "rb").read() == data
            for reports in (up, down):
                assert reports and reports[-1] == (len(data), len(data))
                assert [d for d, _ in reports] == sorted(d for d, _ in reports)
            if _lib.has_progress():
                assert len(up) > 1 and len(down) > 1, "the library reports progress while bytes move"
        finally:
            await a.disconnect()
    run(main(), timeout=60)


def test_download_through_the_cdn(emulator: Emulator, new_phone, run, tmp_path) -> None:
    """With the emulator's CDN redirects on, downloads come from the CDN DC
    (decrypted and checked against the file DC's hashes) with the same
    bytes; a CDN that alters a part makes the download fail, leaving no file."""
    async def main() -> None:
        a = await login_user(emulator, new_phone(2), "Cid", "cid_cdn")
        b = await login_user(emulator, new_phone(3), "Cyd", "cyd_cdn")
        try:
            data = os.urandom(1024 * 1024 + 777)
            sent = await a.send_file("@cyd_cdn", data, name="cdn.bin", force_document=True)
            msg = await b.get_messages("@cid_cdn", sent.id)
            emulator.call("cdn", redirects=True)
            seen: List[Tuple[int, int]] = []
            assert await b.download_media(msg, bytes, progress_callback=lambda d, t: seen.append((d, t))) == data
            assert seen[-1] == (len(data), len(data))
            assert await b.download_range(msg, 200000, 5000) == data[200000:205000]
            emulator.call("cdn", redirects=True, tamper=True)
            out = tmp_path / "tampered.bin"
            with pytest.raises(errors.PolygramError, match="hash"):
                await b.download_media(msg, str(out))
            assert not out.exists()
        finally:
            emulator.call("cdn", redirects=False, tamper=False)
            await a.disconnect()
            await b.disconnect()
    run(main(), timeout=60)
