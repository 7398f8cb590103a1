// Iterators, every event kind, message methods, files, logins, sessions, flood
// waits and raw bytes, against the emulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Client, Emulator, Message, MessageEvent, MessageDeletedEvent, RawEvent, Dialog, FloodWaitError, PolygramError, Status,
} from 'polygram';

const T = { timeout: 30000 };
let emu;
let ann; // emulator users
let ben;
let annC; // their clients
let benC;
const clients = [];
const dir = mkdtempSync(path.join(tmpdir(), 'polygram-node-'));

async function newClient(options = {}) {
  const c = await emu.client({ logLevel: 'error', ...options });
  clients.push(c);
  return c;
}

async function login(phone, options = {}) {
  const c = await newClient(options);
  await c.start({ phone: `+${phone}`, code: () => emu.loginCode(phone) });
  return c;
}

// nextEvent resolves with the first event of a kind a handler accepts.
function nextEvent(client, event, filters = {}, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const h = (ev) => { clearTimeout(timer); client.off(event, h); resolve(ev); };
    const timer = setTimeout(() => { client.off(event, h); reject(new Error(`no ${event} within ${timeoutMs} ms`)); }, timeoutMs);
    client.on(event, filters, h);
  });
}

before(async () => {
  emu = await Emulator.start();
  ann = await emu.createUser({ phone: '9996271001', firstName: 'Ann', username: 'ann_it' });
  ben = await emu.createUser({ phone: '9996271002', firstName: 'Ben', username: 'ben_it' });
  await emu.addContact(ann.id, ben.id);
  await emu.addContact(ben.id, ann.id);
  annC = await login('9996271001');
  benC = await login('9996271002');
});

after(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('iterMessages pages transparently, newest first, and stops at limit', T, async () => {
  const sent = [];
  for (let i = 0; i < 25; i++) sent.push((await annC.sendMessage('@ben_it', `n${i}`)).id);
  let pages = 0;
  const call = annC.call;
  annC.call = function (method, args) { if (method === 'iter_messages') pages++; return call.call(this, method, args); };
  try {
    const got = [];
    for await (const m of annC.iterMessages('@ben_it', { batchSize: 7 })) {
      assert.ok(m instanceof Message);
      got.push(m);
    }
    assert.deepEqual(got.map((m) => m.id), sent.slice().reverse());
    assert.equal(got[0].text, 'n24');
    assert.equal(pages, 4); // 7 + 7 + 7 + 4
    pages = 0;
    const ten = [];
    for await (const m of annC.iterMessages('@ben_it', { limit: 10, batchSize: 4 })) ten.push(m.text);
    assert.deepEqual(ten, Array.from({ length: 10 }, (_, i) => `n${24 - i}`));
    assert.equal(pages, 3);
    const below = [];
    for await (const m of annC.iterMessages('@ben_it', { offsetId: sent[3] })) below.push(m.text);
    assert.deepEqual(below, ['n2', 'n1', 'n0']);
  } finally {
    annC.call = call;
  }
  await assert.rejects(annC.iterMessages('@ben_it', { limit: -1 }).next(), TypeError);
});

test('iterDialogs pages with raw calls and yields each dialog once', T, async () => {
  const phones = ['9996271101', '9996271102', '9996271103', '9996271104', '9996271105'];
  for (const [i, phone] of phones.entries()) {
    const u = await emu.createUser({ phone, firstName: `Friend${i}`, username: `friend${i}_it` });
    await emu.addContact(ann.id, u.id);
    await emu.sendMessage(u.id, ann.id, `from friend ${i}`);
  }
  const all = [];
  for await (const d of annC.iterDialogs({ batchSize: 2 })) {
    assert.ok(d instanceof Dialog);
    all.push(d);
  }
  assert.equal(new Set(all.map((d) => d.id)).size, all.length);
  const names = all.map((d) => d.name);
  for (let i = 0; i < 5; i++) assert.ok(names.includes(`Friend${i}`), names.join());
  assert.ok(names.includes('Ben'));
  const f4 = all.find((d) => d.name === 'Friend4');
  assert.equal(f4.message.text, 'from friend 4');
  assert.equal(f4.peer.kind, 'user');
  assert.equal(f4.inputPeer._, 'inputPeerUser');
  // The same dialogs as the friendly get_dialogs, in the same order.
  const friendly = await annC.getDialogs({ limit: 100 });
  assert.deepEqual(all.map((d) => d.id), friendly.map((d) => d.id));
  const three = [];
  for await (const d of annC.iterDialogs({ limit: 3, batchSize: 2 })) three.push(d.id);
  assert.deepEqual(three, all.slice(0, 3).map((d) => d.id));
  // A dialog sends and iterates.
  await f4.sendMessage('hello friend 4');
  const [last] = await collect(f4.iterMessages({ limit: 1 }));
  assert.equal(last.text, 'hello friend 4');
});

async function collect(it) {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
}

test('message events: NewMessage, MessageEdited, MessageDeleted, Raw, with filters', T, async () => {
  const seen = [];
  const fromAnn = { chats: [ann.id], incoming: true };
  const gotNew = nextEvent(benC, 'NewMessage', { ...fromAnn, pattern: /^event (\d+)$/ });
  // Ann's messages from her other session reach this one as outgoing.
  const annElsewhere = await login('9996271001');
  const outgoing = nextEvent(annC, 'NewMessage', { outgoing: true, pattern: /^event/ });
  const incomingOnly = [];
  annC.on('NewMessage', { incoming: true, pattern: /^event/ }, (e) => incomingOnly.push(e));
  benC.on('NewMessage', { chats: [-1] }, (ev) => seen.push(ev)); // never this chat
  await annElsewhere.sendMessage('@ben_it', 'event 1');
  const ev = await gotNew;
  assert.ok(ev instanceof MessageEvent);
  assert.equal(ev.patternMatch[1], '1');
  assert.equal(ev.senderId, ann.id);
  assert.equal(ev.text, 'event 1');
  const out = await outgoing;
  assert.equal(out.out, true);
  assert.equal(out.chatId, ben.id);
  assert.deepEqual(incomingOnly, []);
  const id = out.id;

  const edited = nextEvent(benC, 'MessageEdited', fromAnn);
  await annC.editMessage('@ben_it', id, 'event 1, edited');
  const ed = await edited;
  assert.equal(ed.text, 'event 1, edited');
  assert.equal(ed.type, 'message_edited');

  // Updates without an event of their own come as Raw (a pin's updatePinnedMessages).
  const raw = nextEvent(benC, 'Raw', { func: (e) => e.update && e.update._ === 'updatePinnedMessages' });
  await annC.pinMessage('@ben_it', id);
  const r = await raw;
  assert.ok(r instanceof RawEvent);
  assert.deepEqual(r.update.messages, [ev.id]);

  const deleted = nextEvent(benC, 'MessageDeleted');
  await annC.deleteMessages('@ben_it', [id]);
  const del = await deleted;
  assert.ok(del instanceof MessageDeletedEvent);
  assert.ok(del.ids.includes(ev.id), `${del.ids} has ${ev.id}`);
  assert.deepEqual(seen, []);
  assert.throws(() => benC.on('NoSuchEvent', {}, () => {}), TypeError);
  assert.throws(() => benC.on('NewMessage', { chats: ['@ann_it'] }, () => {}), /resolvePeer/);
});

test('raw_updates: the pushed Updates objects as Raw events', T, async () => {
  await emu.createUser({ phone: '9996271003', firstName: 'Raw' });
  const c = await login('9996271003', { rawUpdates: true });
  const me = c.me;
  const raw = nextEvent(c, 'Raw', { func: (e) => e.type === 'raw_updates' });
  await emu.sendMessage(ann.id, me.id, 'pushed');
  const r = await raw;
  assert.ok(r.updates && typeof r.updates._ === 'string');
  assert.ok(r.dc > 0);
});

test('message methods: reply, respond, edit, forwardTo, getSender, getChat, delete', T, async () => {
  const incoming = nextEvent(benC, 'NewMessage', { chats: [ann.id], pattern: 'methods' });
  await annC.sendMessage('@ben_it', 'methods');
  const ev = await incoming;
  const sender = await ev.getSender();
  assert.equal(sender._, 'users.userFull');
  assert.ok(sender.users.some((u) => u.first_name === 'Ann'));
  const chat = await ev.message.getChat();
  assert.equal(chat._, 'users.userFull');

  const replyEv = nextEvent(annC, 'NewMessage', { incoming: true, pattern: '^a reply$' });
  const { id: replyId } = await ev.reply('a reply');
  const rep = await replyEv;
  assert.ok(rep.message.isReply);
  assert.equal((await rep.message.getReplyMessage()).text, 'methods');
  await ev.respond('a response');
  const [mine] = await benC.getMessages('@ann_it', [replyId]);
  await mine.edit('a reply, edited');
  assert.equal((await benC.getMessages('@ann_it', replyId))[0].text, 'a reply, edited');
  const [fwd] = await ev.forwardTo('me');
  assert.ok(fwd > 0);
  const [saved] = await benC.getMessages('me', [fwd]);
  assert.equal(saved.text, 'methods');
  await mine.delete();
  const left = (await benC.getHistory('@ann_it', { limit: 5 })).map((m) => m.id);
  assert.ok(!left.includes(replyId));
});

test('files: send bytes, receive an event with media, download to memory and to a path', T, async () => {
  const data = Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7) & 0xff));
  const incoming = nextEvent(benC, 'NewMessage', { chats: [ann.id], func: (e) => Boolean(e.message.media) });
  const { id } = await annC.sendFile('@ben_it', data, { name: 'blob.bin', caption: 'a file', mimeType: 'application/octet-stream' });
  assert.ok(id > 0);
  const ev = await incoming;
  assert.equal(ev.text, 'a file');
  const got = await ev.downloadMedia();
  assert.ok(Buffer.isBuffer(got));
  assert.ok(got.equals(data));
  const file = path.join(dir, 'blob.bin');
  const res = await ev.message.downloadMedia({ path: file });
  assert.equal(res.size, data.length);
  assert.ok(readFileSync(file).equals(data));
});

test('raw calls take and give bytes as Uint8Array/Buffer', T, async () => {
  assert.equal(await annC.invoke({ _: 'upload.saveFilePart', file_id: 77n, file_part: 0, bytes: Buffer.from('part') }), true);
  assert.equal(await annC.invoke({ _: 'upload.saveFilePart', file_id: 77n, file_part: 1, bytes: new Uint8Array([1, 2, 3]) }), true);
  const pw = await annC.invoke({ _: 'account.getPassword' });
  assert.equal(pw._, 'account.password');
  assert.ok(pw.secure_random instanceof Uint8Array);
  assert.ok(pw.secure_random.length > 0);
  await assert.rejects(annC.invoke({ _: 'upload.saveFilePart', file_id: 77n, file_part: 'zero', bytes: Buffer.from('x') }), PolygramError);
  await assert.rejects(annC.invoke({ _: 'messages.getHistory' }), (e) => e instanceof PolygramError && /peer/.test(e.message));
});

test('floodSleepThreshold: short waits are slept through, longer ones reject', T, async () => {
  const patient = await login('9996271001', { floodSleepThreshold: 5 });
  await emu.failNext('help.getNearestDc', 'FLOOD_WAIT_1');
  const t0 = Date.now();
  const dc = await patient.invoke({ _: 'help.getNearestDc' });
  assert.equal(dc._, 'nearestDc');
  assert.ok(Date.now() - t0 >= 900, `slept ${Date.now() - t0} ms`);
  const impatient = await login('9996271001', { floodSleepThreshold: 0 });
  await emu.failNext('help.getNearestDc', 'FLOOD_WAIT_1');
  await assert.rejects(impatient.invoke({ _: 'help.getNearestDc' }), (e) => e instanceof FloodWaitError && e.seconds === 1);
});

test('2FA login with a password function given the hint, and sign-up of a new number', T, async () => {
  const u = await emu.createUser({ phone: '9996271201', firstName: 'Secret' });
  await emu.setPassword(u.id, 'hunter2', 'the usual');
  const c = await newClient();
  let hint;
  await c.start({ phone: '+9996271201', code: () => emu.loginCode('9996271201'), password: async (h) => { hint = h; return 'hunter2'; } });
  assert.equal(hint, 'the usual');
  assert.equal(c.me.first_name, 'Secret');

  const wrong = await newClient();
  await assert.rejects(wrong.start({ phone: '+9996271201', code: () => emu.loginCode('9996271201'), password: 'nope' }), PolygramError);

  const fresh = await newClient();
  await fresh.start({ phone: '+9996271202', code: () => emu.loginCode('9996271202'), firstName: 'Newbie' });
  assert.equal(fresh.me.first_name, 'Newbie');

  const noPw = await newClient();
  await assert.rejects(noPw.start({ phone: '+9996271201', code: () => emu.loginCode('9996271201') }), (e) => e.status === Status.PASSWORD_NEEDED);
});

test('sessions: a string session and an SQLite file are reused without logging in again', T, async () => {
  const s = await annC.exportSession();
  assert.equal(typeof s, 'string');
  const again = await newClient({ session: { string: s } });
  assert.equal(await again.isAuthorized(), true);
  await again.start({ phone: () => { throw new Error('must not ask'); } });
  assert.equal(again.me.id, ann.id);

  const file = path.join(dir, 'ben.session');
  const first = await newClient({ session: file });
  await first.start({ phone: '+9996271002', code: () => emu.loginCode('9996271002') });
  await first.disconnect();
  const second = await newClient({ session: file });
  await second.start({ phone: () => { throw new Error('must not ask'); } });
  assert.equal(second.me.id, ben.id);
  assert.equal((await second.getHistory('@ann_it', { limit: 1 })).length, 1);
});

test('the event loop keeps running while a client waits for events', T, async () => {
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(Date.now() - t0 < 1000, 'a 100 ms timer fired late');
  // And many timers interleave with a burst of requests.
  let ticks = 0;
  const iv = setInterval(() => ticks++, 1);
  await Promise.all(Array.from({ length: 200 }, (_, i) => annC.pingLocal({ i })));
  await new Promise((r) => setTimeout(r, 50));
  clearInterval(iv);
  assert.ok(ticks > 0);
});

test('a burst of 3,000 requests (several drains) resolves each with its own answer', T, async () => {
  const got = await Promise.all(Array.from({ length: 3000 }, (_, i) => annC.pingLocal({ i, text: `n${i}` })));
  got.forEach((r, i) => {
    assert.equal(Number(r.i), i);
    assert.equal(r.text, `n${i}`);
  });
});

test('connectionState events follow a dropped connection without any request', T, async () => {
  const seen = [];
  const onState = (d) => seen.push(d.state);
  annC.on('connectionState', onState);
  try {
    assert.equal(annC.connectionState, 'connected');
    await emu.dropConnections();
    const t0 = Date.now();
    while (seen.join(' ') !== 'disconnected connecting connected' && Date.now() - t0 < 10000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(seen, ['disconnected', 'connecting', 'connected']);
    assert.equal(annC.connectionState, 'connected');
    assert.equal(Number((await annC.invoke({ _: 'help.getNearestDc' })).this_dc) > 0, true);
  } finally {
    annC.off('connectionState', onState);
  }
});

test('a client with bad options fails with a typed error', () => {
  assert.throws(() => new Client({ apiId: 1, apiHash: 'x', session: { string: 'garbage' } }), (e) => e instanceof PolygramError);
  assert.throws(() => new Client({ apiId: 'one', apiHash: 'x' }), (e) => e instanceof PolygramError && e.status === Status.INVALID_ARGUMENT);
});

test('iterParticipants pages a megagroup and lists a basic group', T, async () => {
  const members = [];
  for (let i = 0; i < 6; i++) {
    members.push((await emu.createUser({ phone: `99962713${i}0`, firstName: `Member${i}` })).id);
  }
  await emu.createChannel({ creator: ann.id, title: 'Big group', username: 'big_group_it', megagroup: true, members: [ben.id, ...members] });
  let pages = 0;
  const invoke = annC.invoke;
  annC.invoke = function (req) {
    if (req._ === 'channels.getParticipants') pages++;
    return invoke.call(this, req);
  };
  try {
    const all = [];
    for await (const p of annC.iterParticipants('@big_group_it', { batchSize: 3 })) all.push(p);
    assert.equal(all.length, 8);
    assert.equal(new Set(all.map((p) => p.id)).size, 8);
    for (const id of [ann.id, ben.id, ...members]) assert.ok(all.some((p) => p.id === id), `member ${id}`);
    assert.ok(all.every((p) => p.user && typeof p.user.first_name === 'string' && p.participant._.startsWith('channelParticipant')));
    assert.equal(pages, 3); // 3 + 3 + 2
    const two = [];
    for await (const p of annC.iterParticipants('@big_group_it', { limit: 2 })) two.push(p.id);
    assert.equal(two.length, 2);
    const found = [];
    for await (const p of annC.iterParticipants('@big_group_it', { search: 'member3' })) found.push(p.user.first_name);
    assert.deepEqual(found, ['Member3']);
  } finally {
    annC.invoke = invoke;
  }
  const { peer } = await emu.createChat({ creator: ann.id, title: 'Small group', members: [ben.id] });
  for await (const d of annC.iterDialogs()) void d; // meets the chat (raw: get_dialogs fails on a service top message)
  const small = [];
  for await (const p of annC.iterParticipants(peer)) small.push(p.user.first_name);
  assert.deepEqual(small.sort(), ['Ann', 'Ben']);
  await assert.rejects(annC.iterParticipants('@ben_it').next(), TypeError);
});
