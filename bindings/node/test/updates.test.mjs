// The core's newer events and friendly calls against the emulator: chat
// actions (a join, an addition, title changes, pins), read receipts, typing,
// albums as one event, participants paging and filters, scheduled messages,
// pins, the archive, and iterMessages' options.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Emulator, Message, Participant, ChatActionEvent, MessageReadEvent, UserUpdateEvent, AlbumEvent,
} from 'polygram';

const T = { timeout: 30000 };
let emu;
let ann;
let ben;
let annC;
let benC;
const clients = [];

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

async function collect(it) {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
}

// countCalls counts the friendly calls of a method a client makes while f runs.
async function countCalls(client, method, f) {
  let n = 0;
  const call = client.call;
  client.call = function (m, args) {
    if (m === method) n++;
    return call.call(this, m, args);
  };
  try {
    await f();
  } finally {
    client.call = call;
  }
  return n;
}

before(async () => {
  emu = await Emulator.start();
  ann = await emu.createUser({ phone: '9996273001', firstName: 'Ann', username: 'ann_up' });
  ben = await emu.createUser({ phone: '9996273002', firstName: 'Ben', username: 'ben_up' });
  await emu.addContact(ann.id, ben.id);
  await emu.addContact(ben.id, ann.id);
  annC = await login('9996273001');
  benC = await login('9996273002');
});

after(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  emu.stop();
});

test('ChatAction: a user joins a group, a title changes, a user is added, a message is pinned', T, async () => {
  const { peer } = await emu.createChannel({ creator: ann.id, title: 'Club', username: 'club_up', megagroup: true });
  const joined = nextEvent(annC, 'ChatAction', { chats: [peer], func: (e) => e.userJoined });
  const club = await benC.resolvePeer('@club_up');
  await benC.invoke({ _: 'channels.joinChannel', channel: { _: 'inputChannel', channel_id: BigInt(club.id), access_hash: BigInt(club.access_hash) } });
  const j = await joined;
  assert.ok(j instanceof ChatActionEvent);
  assert.equal(j.kind, 'joined');
  assert.deepEqual(j.userIds, [ben.id]);
  assert.equal(j.chatId, peer);
  assert.equal(j.actionUsers[0].first_name, 'Ben');
  assert.match(j.action._, /^messageActionChat/);
  assert.equal(j.actionMessage.id, j.id);

  const titled = nextEvent(benC, 'ChatAction', { chats: [peer], pattern: /^Club (\d+)$/ });
  const own = await annC.resolvePeer(peer);
  await annC.invoke({ _: 'channels.editTitle', channel: { _: 'inputChannel', channel_id: BigInt(own.id), access_hash: BigInt(own.access_hash) }, title: 'Club 2' });
  const t = await titled;
  assert.equal(t.newTitle, true);
  assert.equal(t.title, 'Club 2');
  assert.equal(t.patternMatch[1], '2');
  assert.equal(t.senderId, ann.id);

  const { id } = await annC.sendMessage(peer, 'rules');
  const pinned = nextEvent(benC, 'ChatAction', { chats: [peer], func: (e) => e.newPin });
  await annC.pinMessage(peer, id);
  const p = await pinned;
  assert.equal(p.pinnedId, id);
  assert.equal((await p.getPinnedMessage()).text, 'rules');

  // A basic group: the creator adds a user, and renames it.
  const u = await emu.createUser({ phone: '9996273003', firstName: 'Cid' });
  const { peer: small } = await emu.createChat({ creator: ann.id, title: 'Small', members: [ben.id] });
  const added = nextEvent(benC, 'ChatAction', { chats: [small], func: (e) => e.userAdded });
  await emu.addContact(ann.id, u.id);
  const cid = await annC.resolvePeer('+9996273003');
  await annC.invoke({ _: 'messages.addChatUser', chat_id: BigInt(-small), user_id: { _: 'inputUser', user_id: BigInt(cid.id), access_hash: BigInt(cid.access_hash) }, fwd_limit: 0 });
  const a = await added;
  assert.deepEqual(a.userIds, [u.id]);
  const renamed = nextEvent(benC, 'ChatAction', { chats: [small], func: (e) => e.newTitle });
  await annC.invoke({ _: 'messages.editChatTitle', chat_id: BigInt(-small), title: 'Smaller' });
  assert.equal((await renamed).title, 'Smaller');
});

test('MessageRead: a read receipt reaches the sender', T, async () => {
  const incoming = nextEvent(benC, 'NewMessage', { chats: [ann.id], pattern: /^read me$/ });
  const { id } = await annC.sendMessage('@ben_up', 'read me');
  const ev = await incoming;
  const receipt = nextEvent(annC, 'MessageRead', { chats: [ben.id], func: (e) => e.outbox });
  await ev.message.markRead();
  const r = await receipt;
  assert.ok(r instanceof MessageReadEvent);
  assert.equal(r.outbox, true);
  assert.equal(r.inbox, false);
  assert.ok(r.isRead(id), `maxId ${r.maxId} covers ${id}`);
});

test('UserUpdate: typing reaches the other side', T, async () => {
  const typing = nextEvent(benC, 'UserUpdate', { func: (e) => e.userId === ann.id && e.typing });
  await annC.typing('@ben_up');
  const t = await typing;
  assert.ok(t instanceof UserUpdateEvent);
  assert.equal(t.action, 'typing');
  assert.equal(t.chatId, ann.id);
  assert.equal(t.isStatus, false);
  const cancelled = nextEvent(benC, 'UserUpdate', { func: (e) => e.userId === ann.id && e.cancel });
  await annC.typing('@ben_up', { cancel: true });
  assert.equal((await cancelled).action, 'cancel');
});

test('Album: files sent together arrive as one event, not one NewMessage each', T, async () => {
  const singles = [];
  const h = (e) => singles.push(e);
  benC.on('NewMessage', { chats: [ann.id], func: (e) => Boolean(e.message.media) }, h);
  const album = nextEvent(benC, 'Album', { chats: [ann.id], incoming: true });
  const files = [Buffer.from('first file'), Buffer.from('second file'), Buffer.from('third file')];
  const { ids } = await annC.sendFile('@ben_up', files, { caption: 'three **files**', parseMode: 'markdown' });
  assert.equal(ids.length, 3);
  const a = await album;
  benC.off('NewMessage', h);
  assert.ok(a instanceof AlbumEvent);
  assert.equal(a.messages.length, 3);
  assert.ok(a.messages.every((m) => m instanceof Message && m.groupedId === a.groupedId));
  assert.equal(a.text, 'three files');
  assert.equal(a.messages[0].entities[0]._, 'messageEntityBold');
  assert.equal(a.senderId, ann.id);
  assert.equal(a.out, false);
  assert.deepEqual(await a.messages[2].downloadMedia(), files[2]);
  assert.deepEqual(singles, []);
});

test('participants: paging, filters, search, and the friendly getParticipants', T, async () => {
  const members = [];
  for (let i = 0; i < 7; i++) members.push((await emu.createUser({ phone: `99962731${i}0`, firstName: `Member${i}` })).id);
  const token = await emu.createBot({ username: 'member_up_bot', firstName: 'Botty' });
  const bot = await emu.client({ logLevel: 'error' });
  clients.push(bot);
  await bot.start({ botToken: token });
  await emu.createChannel({ creator: ann.id, title: 'Crowd', username: 'crowd_up', megagroup: true, members: [ben.id, bot.me.id, ...members] });
  // By username: the creation's update may not have reached this session yet.
  const peer = '@crowd_up';
  let all;
  let raw = 0;
  const invoke = annC.invoke;
  annC.invoke = function (req) {
    if (req._ === 'channels.getParticipants') raw++;
    return invoke.call(this, req);
  };
  try {
    all = await collect(annC.iterParticipants(peer, { batchSize: 4 }));
  } finally {
    annC.invoke = invoke;
  }
  assert.equal(all.length, 10);
  assert.equal(raw, 3); // 4 + 4 + 2
  assert.ok(all.every((p) => p instanceof Participant));
  assert.equal(new Set(all.map((p) => p.id)).size, 10);
  const creator = all.find((p) => p.id === ann.id);
  assert.equal(creator.creator, true);
  assert.equal(creator.admin, true);
  assert.equal(creator.participant._, 'channelParticipantCreator');
  assert.equal(all.find((p) => p.id === ben.id).admin, false);
  assert.deepEqual((await collect(annC.iterParticipants(peer, { limit: 3, batchSize: 2 }))).length, 3);
  assert.deepEqual((await collect(annC.iterParticipants(peer, { search: 'member4' }))).map((p) => p.user.first_name), ['Member4']);
  assert.deepEqual((await collect(annC.iterParticipants(peer, { filter: 'admins' }))).map((p) => p.id), [ann.id]);
  assert.deepEqual((await collect(annC.iterParticipants(peer, { filter: 'bots' }))).map((p) => p.id), [bot.me.id]);

  const friendly = await annC.getParticipants(peer);
  assert.deepEqual(friendly.map((p) => p.id).sort(), all.map((p) => p.id).sort());
  assert.ok(friendly.every((p) => p instanceof Participant && p.user && p.user.id === p.id));
  assert.equal(friendly.find((p) => p.id === ann.id).creator, true);
  assert.deepEqual((await annC.getParticipants(peer, { filter: 'bots' })).map((p) => p.user.username), ['member_up_bot']);
  assert.equal((await annC.getParticipants(peer, { limit: 5 })).length, 5);
  assert.deepEqual((await annC.getParticipants(peer, { search: 'Member6' })).map((p) => p.user.first_name), ['Member6']);
  await assert.rejects(annC.getParticipants(peer, { filter: 'friends' }), TypeError);
  await assert.rejects(annC.iterParticipants(peer, { filter: 'friends' }).next(), TypeError);
  await assert.rejects(annC.iterParticipants('@ben_up').next(), TypeError);
});

test('scheduled messages: listed, sent now, deleted, and sent when due', T, async () => {
  const later = new Date(Date.now() + 3600 * 1000);
  const { id: a } = await annC.sendMessage('@ben_up', 'scheduled one', { schedule: later });
  const { id: b } = await annC.sendMessage('@ben_up', 'scheduled two', { schedule: Math.floor(later.getTime() / 1000) + 60 });
  const list = await annC.getScheduledMessages('@ben_up');
  assert.deepEqual(list.map((m) => m.id).sort((x, y) => x - y), [a, b].sort((x, y) => x - y));
  assert.ok(list.every((m) => m instanceof Message));
  assert.equal(list.find((m) => m.id === a).date.getTime(), Math.floor(later.getTime() / 1000) * 1000);
  assert.deepEqual((await benC.getHistory('@ann_up', { limit: 5 })).filter((m) => m.text.startsWith('scheduled')), []);

  const now = nextEvent(benC, 'NewMessage', { chats: [ann.id], pattern: /^scheduled one$/ });
  await annC.sendScheduledNow('@ben_up', a);
  await now;
  await annC.deleteScheduledMessages('@ben_up', [b]);
  assert.deepEqual(await annC.getScheduledMessages('@ben_up'), []);

  const due = nextEvent(benC, 'NewMessage', { chats: [ann.id], pattern: /^when due$/ }, 15000);
  await annC.sendMessage('@ben_up', 'when due', { schedule: new Date(Date.now() + 2000) });
  await due;
  await assert.rejects(annC.sendMessage('@ben_up', 'x', { schedule: 'tomorrow' }), TypeError);
});

test('pins: pin, list, unpin, unpin all', T, async () => {
  const ids = [];
  for (const t of ['pin a', 'pin b', 'pin c']) ids.push((await annC.sendMessage('@ben_up', t)).id);
  await annC.pinMessage('@ben_up', ids[0]);
  const [m] = await annC.getMessages('@ben_up', [ids[1]]);
  await m.pin({ silent: true });
  let pinned = await annC.getPinnedMessages('@ben_up');
  assert.deepEqual(pinned.map((x) => x.text), ['pin b', 'pin a']);
  assert.ok(pinned.every((x) => x.pinned));
  await m.unpin();
  assert.deepEqual((await annC.getPinnedMessages('@ben_up')).map((x) => x.text), ['pin a']);
  await annC.pinMessage('@ben_up', ids[2]);
  await annC.unpinAllMessages('@ben_up');
  pinned = await annC.getPinnedMessages('@ben_up');
  assert.deepEqual(pinned, []);
});

test('the archive: archiveDialog, getDialogs and iterDialogs of the archive folder', T, async () => {
  const main = await annC.getDialogs();
  const benDialog = main.find((d) => d.id === ben.id);
  assert.equal(benDialog.archived, false);
  await benDialog.archive();
  const archived = await annC.getDialogs({ archived: true });
  assert.deepEqual(archived.map((d) => d.id), [ben.id]);
  assert.equal(archived[0].folder, 1);
  assert.equal(archived[0].archived, true);
  assert.deepEqual((await collect(annC.iterDialogs({ archived: true }))).map((d) => d.id), [ben.id]);
  assert.ok(!(await annC.getDialogs()).some((d) => d.id === ben.id));
  await annC.archiveDialog('@ben_up', false);
  assert.ok((await annC.getDialogs()).some((d) => d.id === ben.id));
  assert.deepEqual(await annC.getDialogs({ archived: true }), []);
});

test('iterMessages: reverse, search, fromUser, min/max ids and ids, paged with iter_messages', T, async () => {
  await emu.createChannel({ creator: ann.id, title: 'Log', username: 'log_up', megagroup: true, members: [ben.id] });
  const peer = '@log_up';
  const sent = [];
  for (let i = 0; i < 12; i++) {
    const c = i % 3 === 0 ? benC : annC;
    sent.push((await c.sendMessage(peer, `line ${i}${i % 4 === 0 ? ' apple' : ''}`)).id);
  }
  let got;
  const pages = await countCalls(annC, 'iter_messages', async () => {
    got = await collect(annC.iterMessages(peer, { reverse: true, batchSize: 5, minId: sent[0] - 1 }));
  });
  assert.deepEqual(got.map((m) => m.id), sent);
  assert.equal(pages, 3); // 5 + 5 + 2
  const newest = await collect(annC.iterMessages(peer, { limit: 4, batchSize: 3 }));
  assert.deepEqual(newest.map((m) => m.id), sent.slice(-4).reverse());
  const apples = await collect(annC.iterMessages(peer, { search: 'apple' }));
  assert.deepEqual(apples.map((m) => m.text), ['line 8 apple', 'line 4 apple', 'line 0 apple']);
  const fromBen = await collect(annC.iterMessages(peer, { fromUser: '@ben_up', reverse: true }));
  assert.deepEqual(fromBen.map((m) => m.text), ['line 0 apple', 'line 3', 'line 6', 'line 9']);
  const between = await collect(annC.iterMessages(peer, { minId: sent[2], maxId: sent[6] }));
  assert.deepEqual(between.map((m) => m.id), sent.slice(3, 6).reverse());
  const some = await collect(annC.iterMessages(peer, { ids: [sent[1], sent[5]] }));
  assert.deepEqual(some.map((m) => m.text), ['line 1', 'line 5']);
  const above = await collect(annC.iterMessages(peer, { offsetId: sent[9], reverse: true }));
  assert.deepEqual(above.map((m) => m.id), sent.slice(10));
});
