// Bots against the emulator: a bot answering /start with an inline keyboard
// and a user clicking it, callback queries answered, inline queries answered
// and their results sent, reply keyboards, and the Button builders' errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Emulator, Button, MessageButton, CallbackQueryEvent, InlineQueryEvent, PolygramError,
} from 'polygram';

const T = { timeout: 30000 };
let emu;
let ann;
let ben;
let annC;
let benC;
let botC;
let botId;
const clients = [];
const queries = []; // CallbackQueryEvents the bot saw
const inlineQueries = [];

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

before(async () => {
  emu = await Emulator.start();
  ann = await emu.createUser({ phone: '9996272001', firstName: 'Ann', username: 'ann_bt' });
  ben = await emu.createUser({ phone: '9996272002', firstName: 'Ben', username: 'ben_bt' });
  await emu.addContact(ann.id, ben.id);
  const token = await emu.createBot({ username: 'helper_bt_bot', firstName: 'Helper' });
  botC = await emu.client({ logLevel: 'error' });
  clients.push(botC);
  await botC.start({ botToken: token });
  botId = botC.me.id;
  annC = await login('9996272001');
  benC = await login('9996272002');

  // The bot: /start gets a keyboard; presses are answered by their data.
  botC.on('NewMessage', { incoming: true, pattern: /^\/start/ }, (ev) => ev.reply('Welcome! Pick one.', {
    buttons: [
      [Button.inline('Yes', 'yes'), Button.inline('No', Buffer.from('no'))],
      [Button.url('Docs', 'https://example.org/docs'), Button.switchInline('Search', 'cats', true)],
    ],
  }));
  botC.on('CallbackQuery', { data: /^(yes|no)$/ }, async (ev) => {
    queries.push(ev);
    if (ev.patternMatch[1] === 'yes') await ev.answer('you said yes');
    else await ev.answer({ message: 'you said no', alert: true });
  });
  botC.on('CallbackQuery', { data: 'like' }, async (ev) => {
    queries.push(ev);
    await ev.answer();
  });
  botC.on('InlineQuery', async (ev) => {
    inlineQueries.push(ev);
    await ev.answer([
      ev.builder.article({ id: 'a1', title: `About ${ev.text}`, text: `**${ev.text}** are great`, parseMode: 'markdown' }),
      { id: 'a2', title: 'More', description: 'with a button', text: `more ${ev.text}`, buttons: Button.inline('Like', 'like') },
    ], { cacheTime: 60, nextOffset: '2' });
  });
});

after(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  emu.stop();
});

test('a bot answers /start with an inline keyboard and the user clicks it', T, async () => {
  const welcome = nextEvent(annC, 'NewMessage', { chats: [botId], pattern: /^Welcome/ });
  await annC.sendMessage('@helper_bt_bot', '/start');
  const ev = await welcome;
  const msg = ev.message;
  assert.ok(msg.isReply);
  const kb = msg.buttons;
  assert.equal(kb.length, 2);
  assert.ok(kb[0][0] instanceof MessageButton);
  assert.deepEqual(kb.map((r) => r.map((b) => b.text)), [['Yes', 'No'], ['Docs', 'Search']]);
  assert.deepEqual(kb.flat().map((b) => b.type), ['callback', 'callback', 'url', 'switchInline']);
  assert.equal(kb[0][0].data.toString(), 'yes');
  assert.equal(kb[1][0].url, 'https://example.org/docs');
  assert.equal(kb[1][1].query, 'cats');
  assert.equal(kb[1][1].samePeer, true);

  // By flat index: the bot's CallbackQuery handler answers.
  const yes = await msg.click(0);
  assert.deepEqual(yes, { text: 'Yes', answer: { message: 'you said yes', alert: false, url: '', cacheTime: 0 } });
  const q = queries.at(-1);
  assert.ok(q instanceof CallbackQueryEvent);
  assert.equal(q.userId, ann.id);
  assert.equal(q.chatId, ann.id); // the chat as the bot sees it
  assert.equal(q.messageId, msg.id);
  assert.equal(q.text, 'yes');
  assert.ok(Buffer.isBuffer(q.data));
  assert.equal(q.viaInline, false);
  assert.equal((await q.getMessage()).text, 'Welcome! Pick one.');

  // By text, by data, by row and column, on the event.
  const no = await ev.click({ text: 'No' });
  assert.equal(no.answer.alert, true);
  assert.equal(no.answer.message, 'you said no');
  assert.equal((await msg.click({ data: 'yes' })).answer.message, 'you said yes');
  assert.deepEqual(await msg.click(1, 0), { text: 'Docs', url: 'https://example.org/docs' });
  const search = await kb[1][1].click();
  assert.equal(search.switchInline.query, 'cats');
  assert.equal(search.switchInline.samePeer, true);
  assert.equal(search.switchInline.results.results.length, 2);
  assert.equal(search.switchInline.results.results[0].title, 'About cats');

  await assert.rejects(msg.click(5), RangeError);
  await assert.rejects(msg.click({ text: 'Maybe' }), PolygramError);
  await assert.rejects(annC.getMessages('@helper_bt_bot', [1]).then(([m]) => m.click()), RangeError);
});

test('a callback query edits the message it came from', T, async () => {
  // Message ids of a private chat are each side's own: the bot's id of its message differs from Ann's.
  const vote = nextEvent(annC, 'NewMessage', { chats: [botId], pattern: /^vote$/ });
  const { id } = await botC.sendMessage(ann.id, 'vote', { buttons: [Button.inline('Yes', 'yes')] });
  const edited = nextEvent(annC, 'MessageEdited', { chats: [botId] });
  botC.on('CallbackQuery', { data: 'yes', func: (e) => e.messageId === id }, async function once(ev) {
    botC.off('CallbackQuery', once);
    await ev.edit('thanks for voting', { buttons: [Button.url('Results', 'https://example.org/r')] });
  });
  await (await vote).click();
  const ed = await edited;
  assert.equal(ed.text, 'thanks for voting');
  assert.equal(ed.message.buttons[0][0].url, 'https://example.org/r');
});

test('an inline query is answered and one result is sent to a friend', T, async () => {
  const res = await annC.inlineQuery('@helper_bt_bot', 'dogs', { peer: '@ben_bt' });
  const iq = inlineQueries.at(-1);
  assert.ok(iq instanceof InlineQueryEvent);
  assert.equal(iq.text, 'dogs');
  assert.equal(iq.userId, ann.id);
  assert.equal(res.nextOffset, '2');
  assert.deepEqual(res.results.map((r) => [r.id, r.title]), [['a1', 'About dogs'], ['a2', 'More']]);
  assert.equal(res.results[1].description, 'with a button');

  const got = nextEvent(benC, 'NewMessage', { chats: [ann.id], pattern: /^more dogs$/ });
  const { id } = await res.results[1].click();
  assert.ok(id > 0);
  const ev = await got;
  // The message came via the bot, with the result's button.
  assert.equal(ev.message.raw.via_bot_id, botId);
  assert.equal(ev.message.buttons[0][0].text, 'Like');
  // A press on a message sent through inline mode reaches the bot without a chat.
  await ev.message.click({ data: 'like' });
  const q = queries.at(-1);
  assert.equal(q.viaInline, true);
  assert.equal(q.userId, ben.id);
  assert.equal(q.chatId, undefined);
  await assert.rejects(q.getMessage(), TypeError);
  // The bot edits it by its inline message id, from outside the chat.
  assert.equal(q.inlineMessageId._, 'inputBotInlineMessageID');
  const edited = nextEvent(benC, 'MessageEdited', { chats: [ann.id] });
  await q.edit('**liked**', { parseMode: 'markdown', buttons: [Button.inline('Unlike', 'unlike')] });
  const ed = await edited;
  assert.equal(ed.text, 'liked');
  assert.equal(ed.message.entities[0]._, 'messageEntityBold');
  assert.equal(ed.message.buttons[0][0].text, 'Unlike');
  await assert.rejects(annC.editInlineMessage(q.inlineMessageId, 'not the bot'), (e) => e instanceof PolygramError && /USER_BOT_REQUIRED/.test(e.message));
  await assert.rejects(botC.editInlineMessage({ _: 'inputPeerSelf' }, 'x'), TypeError);

  const bold = await annC.sendInlineResult('@ben_bt', res.queryId, 'a1');
  const [sent] = await annC.getMessages('@ben_bt', [bold.id]);
  assert.equal(sent.text, 'dogs are great');
  assert.equal(sent.entities[0]._, 'messageEntityBold');
  await assert.rejects(annC.sendInlineResult('@ben_bt', res.queryId, 'zz'), PolygramError);
  await assert.rejects(botC.answerInlineQuery(iq.queryId, [{ title: 'no text' }]), TypeError);
});

test('reply keyboards, force reply and clearing; a keyboard button click sends its text', T, async () => {
  const got = nextEvent(annC, 'NewMessage', { chats: [botId], pattern: /^menu$/ });
  await botC.sendMessage(ann.id, 'menu', {
    buttons: [[Button.text('Tea', { resize: true, singleUse: true })], [Button.text('Coffee'), Button.requestPhone('My phone')]],
  });
  const m = (await got).message;
  assert.equal(m.raw.reply_markup._, 'replyKeyboardMarkup');
  assert.equal(m.raw.reply_markup.resize, true);
  assert.equal(m.raw.reply_markup.single_use, true);
  assert.deepEqual(m.buttons.flat().map((b) => [b.text, b.type, b.inline]),
    [['Tea', 'text', false], ['Coffee', 'text', false], ['My phone', 'requestPhone', false]]);
  const tea = nextEvent(botC, 'NewMessage', { chats: [ann.id], pattern: /^Tea$/ });
  const r = await m.click({ text: 'Tea' });
  assert.equal(r.text, 'Tea');
  assert.equal((await tea).senderId, ann.id);

  const why = nextEvent(annC, 'NewMessage', { chats: [botId], pattern: /^why\?$/ });
  await botC.sendMessage(ann.id, 'why?', { buttons: Button.forceReply({ placeholder: 'because' }) });
  const frm = (await why).message;
  assert.equal(frm.raw.reply_markup._, 'replyKeyboardForceReply');
  assert.equal(frm.raw.reply_markup.placeholder, 'because');
  assert.equal(frm.buttons, undefined);
  const bye = nextEvent(annC, 'NewMessage', { chats: [botId], pattern: /^bye keyboard$/ });
  await botC.sendMessage(ann.id, 'bye keyboard', { buttons: Button.clear() });
  const clm = (await bye).message;
  assert.equal(clm.raw.reply_markup._, 'replyKeyboardHide');
});

test('bad buttons are refused with typed errors before anything is sent', T, async () => {
  assert.throws(() => Button.inline('big', Buffer.alloc(65)), RangeError);
  assert.throws(() => Button.inline('', 'x'), TypeError);
  assert.throws(() => Button.url('bad', 'javascript:alert(1)'), TypeError);
  await assert.rejects(botC.sendMessage(ann.id, 'x', { buttons: [[Button.inline('a'), Button.text('b')]] }), /mixes inline/);
  await assert.rejects(botC.sendMessage(ann.id, 'x', { buttons: [['not a button']] }), TypeError);
  await assert.rejects(botC.sendMessage(ann.id, 'x', { buttons: 42 }), TypeError);
  // A raw markup map passes through, and the core still checks it.
  await assert.rejects(botC.sendMessage(ann.id, 'x', {
    buttons: { _: 'replyInlineMarkup', rows: [{ _: 'keyboardInlineButtonRow', buttons: [{ _: 'keyboardInlineButton', text: 'u', type: { _: 'inlineButtonTypeUrl', url: 'ftp://x' } }] }] },
  }), PolygramError);
});
