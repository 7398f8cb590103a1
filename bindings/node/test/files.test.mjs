// Files against the emulator: albums, captions with a parse mode, profile
// photos, byte ranges, streamed downloads, thumbnails, Bot API file ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Emulator, PolygramError } from 'polygram';

const T = { timeout: 30000 };
let emu;
let ann;
let annC;
let benC;
const clients = [];
const dir = mkdtempSync(path.join(tmpdir(), 'polygram-node-files-'));

async function login(phone) {
  const c = await emu.client({ logLevel: 'error' });
  clients.push(c);
  await c.start({ phone: `+${phone}`, code: () => emu.loginCode(phone) });
  return c;
}

function nextEvent(client, event, filters = {}, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const h = (ev) => { clearTimeout(timer); client.off(event, h); resolve(ev); };
    const timer = setTimeout(() => { client.off(event, h); reject(new Error(`no ${event} within ${timeoutMs} ms`)); }, timeoutMs);
    client.on(event, filters, h);
  });
}

// png makes a w×h RGB PNG with a gradient.
function png(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([x & 0xff, y & 0xff, (x + y) & 0xff], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const blob = Buffer.from(Array.from({ length: 2_500_000 }, (_, i) => (i * 31 + (i >> 12)) & 0xff));
let blobId; // Ben's id of the message carrying blob

before(async () => {
  emu = await Emulator.start();
  ann = await emu.createUser({ phone: '9996274001', firstName: 'Ann', username: 'ann_fl' });
  await emu.createUser({ phone: '9996274002', firstName: 'Ben', username: 'ben_fl' });
  annC = await login('9996274001');
  benC = await login('9996274002');
  const got = nextEvent(benC, 'NewMessage', { chats: [ann.id], func: (e) => Boolean(e.message.media) });
  await annC.sendFile('@ben_fl', blob, { name: 'blob.bin', caption: 'the <b>blob</b>', parseMode: 'html' });
  const ev = await got;
  assert.equal(ev.text, 'the blob');
  assert.equal(ev.message.entities[0]._, 'messageEntityBold');
  blobId = ev.id;
});

after(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('an album of paths and bytes with per-file captions and kinds', T, async () => {
  const a = path.join(dir, 'a.png');
  writeFileSync(a, png(120, 80));
  const album = nextEvent(benC, 'Album', { chats: [ann.id] });
  const { ids } = await annC.sendFile('@ben_fl', [
    { file: a, caption: 'a photo', kind: 'photo' },
    { file: Buffer.from('plain text'), name: 'notes.txt', caption: '**notes**', parseMode: 'markdown' },
  ]);
  assert.equal(ids.length, 2);
  const ev = await album;
  assert.deepEqual(ev.messages.map((m) => m.text), ['a photo', 'notes']);
  assert.equal(ev.messages[0].media._, 'messageMediaPhoto');
  assert.equal(ev.messages[1].media._, 'messageMediaDocument');
  assert.deepEqual(await ev.messages[1].downloadMedia(), Buffer.from('plain text'));
  // The photo's thumbnails: the smallest ("s") fits 90 px; the largest is the original.
  const small = await ev.messages[0].downloadThumbnail({ thumb: 's' });
  assert.deepEqual([...small.subarray(0, 2)], [0xff, 0xd8]); // a JPEG
  const largest = await ev.messages[0].downloadMedia({ thumb: '' });
  assert.ok(largest.length > 0);

  await assert.rejects(annC.sendFile('@ben_fl', [Buffer.from('alone')]), RangeError);
  await assert.rejects(annC.sendAlbum('@ben_fl', [Buffer.from('x'), 42]), TypeError);
  await assert.rejects(annC.sendFile('@ben_fl', 42), TypeError);
});

test('profile photos: download big and small, to memory and to a path', T, async () => {
  await assert.rejects(benC.downloadProfilePhoto('@ann_fl'), PolygramError); // none yet
  const pic = png(300, 200);
  const id = 4242n;
  assert.equal(await annC.invoke({ _: 'upload.saveFilePart', file_id: id, file_part: 0, bytes: pic }), true);
  await annC.invoke({
    _: 'photos.uploadProfilePhoto',
    file: { _: 'inputFile', id, parts: 1, name: 'me.png', md5_checksum: createHash('md5').update(pic).digest('hex') },
  });
  const big = await benC.downloadProfilePhoto('@ann_fl');
  assert.ok(Buffer.isBuffer(big));
  assert.ok(big.equals(pic));
  const small = await benC.downloadProfilePhoto('@ann_fl', { big: false });
  assert.ok(small.length > 0 && small.length < pic.length);
  const file = path.join(dir, 'ann.png');
  const r = await benC.downloadProfilePhoto(ann.id, { path: file });
  assert.equal(r.size, pic.length);
  assert.ok(readFileSync(file).equals(pic));
});

test('byte ranges: downloadRange to memory and a path, iterDownload in chunks', T, async () => {
  const mid = await benC.downloadRange('@ann_fl', blobId, { offset: 1_000_000, limit: 100_003 });
  assert.ok(mid.equals(blob.subarray(1_000_000, 1_100_003)));
  const odd = await benC.downloadRange('@ann_fl', blobId, { offset: 12_345, limit: 10 });
  assert.ok(odd.equals(blob.subarray(12_345, 12_355)));
  const file = path.join(dir, 'tail.bin');
  const r = await benC.downloadRange('@ann_fl', blobId, { offset: 2_000_000, path: file });
  assert.equal(r.size, blob.length - 2_000_000);
  assert.ok(readFileSync(file).equals(blob.subarray(2_000_000)));
  assert.equal((await benC.downloadRange('@ann_fl', blobId, { offset: 5, limit: 0 })).length, 0);
  await assert.rejects(benC.downloadRange('@ann_fl', blobId, { offset: -1, limit: 5 }), RangeError);
  await assert.rejects(benC.downloadRange('@ann_fl', blobId, { offset: 0 }), TypeError);

  const [m] = await benC.getMessages('@ann_fl', [blobId]);
  const chunks = [];
  for await (const c of m.iterDownload({ chunkSize: 700_000 })) chunks.push(c);
  assert.deepEqual(chunks.map((c) => c.length), [700_000, 700_000, 700_000, 400_000]);
  assert.ok(Buffer.concat(chunks).equals(blob));
  const part = [];
  for await (const c of benC.iterDownload('@ann_fl', blobId, { offset: 100, limit: 1000, chunkSize: 300 })) part.push(c);
  assert.ok(Buffer.concat(part).equals(blob.subarray(100, 1100)));
  assert.deepEqual(part.map((c) => c.length), [300, 300, 300, 100]);
  // Stopping the loop early asks nothing more.
  let calls = 0;
  const call = benC.call;
  benC.call = function (method, args) { if (method === 'download_range') calls++; return call.call(this, method, args); };
  try {
    for await (const c of m.iterDownload({ chunkSize: 4096 })) { void c; break; }
  } finally {
    benC.call = call;
  }
  assert.equal(calls, 1);
});

test('Bot API file ids: from a message, decoded, and downloaded by id', T, async () => {
  const [m] = await benC.getMessages('@ann_fl', [blobId]);
  const { fileId, fileUniqueId } = await m.getFileIds();
  assert.equal(typeof fileId, 'string');
  assert.equal(typeof fileUniqueId, 'string');
  const info = await benC.decodeFileId(fileId);
  assert.equal(info.type, 'document');
  assert.equal(info.fileUniqueId, fileUniqueId);
  assert.ok(info.dcId > 0);
  assert.equal(BigInt(info.id), BigInt(m.media.document.id));
  const bytes = await benC.downloadFileId(fileId);
  assert.ok(bytes.equals(blob));
  await assert.rejects(benC.decodeFileId('not-a-file-id'), PolygramError);
});

test('progressCallback: monotonic reports ending at done == total, or a clear error from an older library', T, async () => {
  const reports = [];
  let sent;
  try {
    sent = await annC.sendFile('@ben_fl', blob, { name: 'again.bin', progressCallback: (done, total) => reports.push([done, total]) });
  } catch (e) {
    // A library without POLYGRAM_EVENT_PROGRESS refuses the option by name.
    assert.ok(e instanceof PolygramError);
    assert.equal(e.errorMessage, 'PROGRESS_UNSUPPORTED');
    assert.match(e.message, /progressCallback needs a libpolygram/);
    return;
  }
  assert.ok(sent.id > 0);
  assert.ok(reports.length >= 2, `${reports.length} reports`);
  for (let i = 1; i < reports.length; i++) assert.ok(reports[i][0] >= reports[i - 1][0], 'done never decreases');
  assert.deepEqual(reports.at(-1), [blob.length, blob.length]);

  const down = [];
  const got = await benC.downloadMedia('@ann_fl', blobId, { progressCallback: (done, total) => down.push([done, total]) });
  assert.ok(got.equals(blob));
  assert.deepEqual(down.at(-1), [blob.length, blob.length]);
  for (let i = 1; i < down.length; i++) assert.ok(down[i][0] >= down[i - 1][0]);
  // A failing callback is reported, never fatal.
  const errors = [];
  benC.on('handlerError', (e) => errors.push(e));
  const again = await benC.downloadRange('@ann_fl', blobId, { offset: 0, limit: 8192, progressCallback: () => { throw new Error('boom'); } });
  assert.equal(again.length, 8192);
  assert.ok(errors.some((e) => e.message === 'boom'));
  await assert.rejects(benC.downloadMedia('@ann_fl', blobId, { progressCallback: 'yes' }), TypeError);
});

test('through the CDN: the same bytes, and a part that fails its hash fails the download', T, async () => {
  await emu.call('cdn', { redirects: true });
  try {
    const got = await benC.downloadMedia('@ann_fl', blobId);
    assert.ok(got.equals(blob));
    const part = await benC.downloadRange('@ann_fl', blobId, { offset: 300000, limit: 4000 });
    assert.ok(part.equals(blob.subarray(300000, 304000)));
    await emu.call('cdn', { redirects: true, tamper: true });
    const file = path.join(dir, 'tampered.bin');
    await assert.rejects(benC.downloadMedia('@ann_fl', blobId, { path: file }), /hash/);
    assert.throws(() => readFileSync(file), /ENOENT/);
  } finally {
    await emu.call('cdn', { redirects: false, tamper: false });
  }
});
