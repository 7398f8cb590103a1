import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, Emulator, Message, PolygramError, RPCError, FloodWaitError, Status, libraryInfo,
  BadRequestError, FloodError, ChatAdminRequiredError, rpcErrorInfo,
} from '../index.mjs';

const T = { timeout: 20000 };
let emu;
const clients = [];
let bot;
let alice;
let botName;

// waitFor resolves with the first event a handler accepts.
function nextEvent(client, event, filters, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { client.off(event, h); reject(new Error(`no ${event} within ${timeoutMs} ms`)); }, timeoutMs);
    const h = (ev) => { clearTimeout(timer); client.off(event, h); resolve(ev); };
    client.on(event, filters, h);
  });
}

async function newClient(options = {}) {
  const c = await emu.client({ logLevel: 'error', ...options });
  clients.push(c);
  return c;
}

before(async () => {
  emu = await Emulator.start();
});

after(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  emu.stop();
});

test('library info', () => {
  const info = libraryInfo();
  assert.equal(info.abi, 1);
  assert.ok(info.layer > 0);
  assert.match(info.version, /^\d+\.\d+\.\d+/);
});

test('bot login with a token', T, async () => {
  const token = await emu.createBot({ username: 'node_echo_bot', firstName: 'Echo' });
  assert.match(token, /^\d+:/);
  bot = await newClient();
  const states = [];
  bot.on('authState', (s) => states.push(s.state));
  await bot.start({ botToken: token });
  assert.equal(bot.me.bot, true);
  assert.equal(bot.me.username, 'node_echo_bot');
  assert.equal(bot.authState, 'ready');
  assert.ok(states.includes('ready'));
  botName = '@node_echo_bot';
  // The echo handler: replies from inside the handler.
  bot.on('NewMessage', { incoming: true }, async (ev) => {
    await ev.reply(`echo: ${ev.text}`);
  });
});

test('user login with a phone code (and DC migration)', T, async () => {
  await emu.createUser({ phone: '9996631234', firstName: 'Alice', username: 'alice_node' });
  alice = await newClient();
  let sent;
  await alice.start({
    phone: () => '+9996631234',
    code: async (s) => { sent = s; return emu.loginCode('9996631234'); },
  });
  assert.ok(sent.hash, 'send_code result is given to the code function');
  assert.equal(alice.me.first_name, 'Alice');
  assert.equal((await alice.getState()).main_dc, 3);
  assert.equal(await alice.isAuthorized(), true);
});

test('echo conversation with events and friendly methods', T, async () => {
  const reply = nextEvent(alice, 'NewMessage', { incoming: true, pattern: /^echo: (.*)$/ });
  const { id } = await alice.sendMessage(botName, 'Hello, bot!');
  assert.ok(id > 0);
  const ev = await reply;
  assert.equal(ev.text, 'echo: Hello, bot!');
  assert.equal(ev.patternMatch[1], 'Hello, bot!');
  assert.equal(ev.out, false);
  assert.equal(ev.message.replyToMsgId, id);
  assert.ok(ev.message instanceof Message);
  assert.equal(ev.chatId, bot.me.id);
  // respond from the user side, through the event.
  const second = nextEvent(alice, 'NewMessage', { incoming: true, pattern: 'again' });
  await ev.respond('again');
  assert.equal((await second).text, 'echo: again');

  const history = await alice.getHistory(botName, { limit: 10 });
  assert.deepEqual(history.map((m) => m.text), ['echo: again', 'again', 'echo: Hello, bot!', 'Hello, bot!']);
  assert.equal(history[3].out, true);
  const [m] = await alice.getMessages(botName, [id]);
  assert.equal(m.text, 'Hello, bot!');
  await m.edit('Hello, edited');
  assert.equal((await alice.getMessages(botName, id))[0].text, 'Hello, edited');
  const dialogs = await alice.getDialogs({ limit: 10 });
  assert.ok(dialogs.some((d) => d.message && d.message.text === 'echo: again'));
  const peer = await alice.resolvePeer(botName);
  assert.equal(peer.marked_id, bot.me.id);
  assert.equal(peer.bot, true);
  await alice.deleteMessages(botName, [id]);
  assert.equal((await alice.getHistory(botName, { limit: 10 })).length, 3);
});

test('raw call: longs are bigint, ints are numbers', T, async () => {
  const peer = await alice.resolvePeer(botName);
  const res = await alice.invoke({
    _: 'messages.getHistory',
    peer: { _: 'inputPeerUser', user_id: BigInt(peer.id), access_hash: BigInt(peer.access_hash) },
    offset_id: 0, offset_date: 0, add_offset: 0, limit: 2, max_id: 0, min_id: 0, hash: 0n,
  });
  assert.ok(res._.startsWith('messages.'));
  assert.equal(res.messages.length, 2);
  assert.equal(typeof res.messages[0].id, 'number');
  assert.equal(typeof res.users[0].id, 'bigint');
  assert.ok(res.users.some((u) => u.id === BigInt(bot.me.id)));
  const nearest = await alice.invoke({ _: 'help.getNearestDc' });
  assert.equal(nearest._, 'nearestDc');
});

test('errors: RPCError, FloodWaitError, invalid requests', T, async () => {
  await emu.failNext('help.getNearestDc', 'CHAT_ADMIN_REQUIRED');
  await assert.rejects(alice.invoke({ _: 'help.getNearestDc' }), (e) => {
    assert.ok(e instanceof ChatAdminRequiredError && e instanceof BadRequestError && e instanceof RPCError);
    assert.equal(e.code, 400);
    assert.equal(e.errorMessage, 'CHAT_ADMIN_REQUIRED');
    assert.equal(e.name, 'ChatAdminRequiredError');
    assert.equal(e.method, 'help.getNearestDc');
    assert.ok(e.message.length > 0);
    assert.match(String(e.stack), /^ChatAdminRequiredError: /);
    return true;
  });
  await emu.failNext('help.getNearestDc', 'FLOOD_WAIT_120');
  await assert.rejects(alice.invoke({ _: 'help.getNearestDc' }), (e) => {
    assert.ok(e instanceof FloodWaitError && e instanceof FloodError && e instanceof RPCError);
    assert.equal(e.seconds, 120);
    assert.equal(e.errorMessage, 'FLOOD_WAIT_X');
    assert.equal(e.code, 420);
    return true;
  });
  // An error outside the list still gets the class of its code.
  await emu.failNext('help.getNearestDc', 'SOMETHING_NEW_WENT_WRONG');
  await assert.rejects(alice.invoke({ _: 'help.getNearestDc' }), (e) => {
    assert.ok(e instanceof BadRequestError);
    assert.equal(e.constructor, BadRequestError);
    assert.equal(e.errorMessage, 'SOMETHING_NEW_WENT_WRONG');
    return true;
  });
  assert.equal(rpcErrorInfo('FLOOD_WAIT_42').class, FloodWaitError);
  assert.deepEqual(rpcErrorInfo('CHAT_ADMIN_REQUIRED').codes, [400, 403]);
  await assert.rejects(alice.call('no_such_method'), (e) => e instanceof PolygramError && !(e instanceof RPCError) && e.status === Status.UNKNOWN_METHOD && e.errorMessage === 'UNKNOWN_METHOD');
  await assert.rejects(alice.sendMessage(botName, 'x', { notAnOption: 1 }), (e) => e.status === Status.INVALID_ARGUMENT);
  await assert.rejects(alice.invoke({ _: 'help.noSuchFunction' }), PolygramError);
  await assert.rejects(alice.sendMessage('@nobody_here_at_all', 'x'), PolygramError);
  assert.throws(() => new Client({ apiId: 1, apiHash: 'x', noSuchKey: 1 }), /no_such_key/);
});

test('a failing handler is reported, never fatal', T, async () => {
  const errors = [];
  const onErr = (e) => errors.push(e);
  alice.on('handlerError', onErr);
  const boom = () => { throw new Error('boom'); };
  const boomAsync = async () => { throw new Error('async boom'); };
  alice.on('NewMessage', { incoming: true }, boom);
  alice.on('NewMessage', { incoming: true }, boomAsync);
  const reply = nextEvent(alice, 'NewMessage', { incoming: true });
  await alice.sendMessage(botName, 'still alive?');
  assert.equal((await reply).text, 'echo: still alive?');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(errors.map((e) => e.message).sort(), ['async boom', 'boom']);
  alice.off('NewMessage', boom);
  alice.off('NewMessage', boomAsync);
  alice.off('handlerError', onErr);
  assert.equal((await alice.getMe()).first_name, 'Alice');
});

test('disconnect from inside a handler', T, async () => {
  await emu.createUser({ phone: '9996621001', firstName: 'Bob' });
  const b = await newClient();
  await b.start({ phone: '+9996621001', code: () => emu.loginCode('9996621001') });
  const done = new Promise((resolve, reject) => {
    b.on('NewMessage', { incoming: true }, async (ev) => {
      try {
        await b.disconnect();
        resolve(ev.text);
      } catch (e) { reject(e); }
    });
  });
  await b.sendMessage(botName, 'bye');
  assert.equal(await done, 'echo: bye');
  assert.equal(b.connected, false);
  assert.equal(b.connectionState, 'closed');
  await assert.rejects(b.getMe(), (e) => e.status === Status.CLOSED);
  await b.disconnect(); // idempotent
});

test('requests pending at disconnect are rejected with CLOSED', T, async () => {
  const c = await newClient();
  const p = c.call('connect').then(() => 'completed', (e) => e);
  await c.disconnect();
  const r = await p;
  if (r !== 'completed') assert.equal(r.status, Status.CLOSED);
});
