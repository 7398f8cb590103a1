// A bot with buttons and inline mode, and a user pressing them, offline against the emulator.
// TypeScript: checked with `tsc --noEmit` (bindings/node tsconfig) and run by the binding's tests
// (compiled into bindings/node, where 'polygram' resolves). In your project: import from 'polygram'.
import { Emulator, Button, type CallbackQueryEvent, type InlineQueryEvent } from 'polygram';

const emu = await Emulator.start();
const token = await emu.createBot({ username: 'pizza_bot', firstName: 'Pizza' });
await emu.createUser({ phone: '9996624101', firstName: 'Alice', username: 'alice_pz' });
await emu.createUser({ phone: '9996624102', firstName: 'Bob', username: 'bob_pz' });

// The bot: /start shows a menu; presses are answered and edit the menu; inline queries get articles.
const bot = await emu.client();
await bot.start({ botToken: token });
bot.on('NewMessage', { incoming: true, pattern: /^\/start/ }, (event) => event.reply('What would you like?', {
  buttons: [
    [Button.inline('Margherita', 'order:margherita'), Button.inline('Funghi', 'order:funghi')],
    [Button.url('Menu online', 'https://example.org/menu'), Button.switchInline('Share', 'pizza')],
  ],
}));
bot.on('CallbackQuery', { data: /^order:(\w+)$/ }, async (event: CallbackQueryEvent) => {
  const pizza = (event.patternMatch as RegExpExecArray)[1];
  await event.edit(`Ordered: ${pizza}`, { buttons: Button.inline('Cancel', `cancel:${pizza}`) });
  await event.answer(`One ${pizza} coming up!`);
});
bot.on('CallbackQuery', { data: /^cancel:/ }, (event: CallbackQueryEvent) => event.answer({ message: 'Too late, it is in the oven', alert: true }));
bot.on('InlineQuery', (event: InlineQueryEvent) => event.answer([
  event.builder.article({ id: 'm', title: 'Margherita', text: `**Margherita** (you searched "${event.text}")`, parseMode: 'markdown' }),
  { id: 'f', title: 'Funghi', text: 'Funghi, with mushrooms', buttons: Button.url('Order', 'https://example.org/order/funghi') },
], { cacheTime: 0 }));

// Alice: starts the bot, presses buttons, and shares an inline result with Bob.
const alice = await emu.client();
await alice.start({ phone: '+9996624101', code: () => emu.loginCode('9996624101') });
const menu = new Promise<import('polygram').Message>((resolve) => {
  alice.on('NewMessage', { incoming: true, pattern: /^What would you like/ }, (event) => resolve(event.message));
});
await alice.sendMessage('@pizza_bot', '/start');
const msg = await menu;
console.log(`menu: ${msg.buttons!.map((row) => row.map((b) => `[${b.text}]`).join(' ')).join(' / ')}`);

// A URL button gives its link without asking anyone; click(row, col) or click(i) across rows.
console.log(`link button: ${(await msg.click(1, 0)).url}`);
const ordered = await msg.click({ text: 'Funghi' });
console.log(`bot says: ${ordered.answer!.message}`);
const edited = (await alice.getMessages('@pizza_bot', [msg.id]))[0];
console.log(`menu now: "${edited.text}" with [${edited.buttons![0][0].text}]`);
const cancel = await edited.click(0);
console.log(`cancel: ${cancel.answer!.message} (alert: ${cancel.answer!.alert})`);

const found = await alice.inlineQuery('@pizza_bot', 'cheese', { peer: '@bob_pz' });
console.log(`inline results: ${found.results.map((r) => r.title).join(', ')}`);
const { id } = await found.results[0].click();
const [shared] = await alice.getMessages('@bob_pz', [id]);
console.log(`sent to Bob via the bot: "${shared.text}"`);

await alice.disconnect();
await bot.disconnect();
emu.stop();
console.log('done');
