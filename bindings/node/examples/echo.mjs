// An echo bot and a user talking to it, offline, against the bundled emulator.
//   cd bindings/node && npm ci && node examples/echo.mjs
import { Emulator } from '../index.mjs';

const emu = await Emulator.start();
const token = await emu.createBot({ username: 'echo_bot', firstName: 'Echo' });
await emu.createUser({ phone: '9996631234', firstName: 'Alice' });

const bot = await emu.client();
await bot.start({ botToken: token });
bot.on('NewMessage', { incoming: true }, async (event) => {
  await event.reply(`echo: ${event.text}`);
});
console.log(`bot @${bot.me.username} is listening`);

const alice = await emu.client();
await alice.start({ phone: '+9996631234', code: () => emu.loginCode('9996631234') });
console.log(`${alice.me.first_name} logged in on DC${(await alice.getState()).main_dc}`);

let left = 2;
alice.on('NewMessage', { incoming: true, pattern: /^echo: / }, async (event) => {
  console.log(`@echo_bot -> ${alice.me.first_name}: "${event.text}" (reply to ${event.message.replyToMsgId})`);
  if (--left === 0) {
    await Promise.all([alice.disconnect(), bot.disconnect()]);
    emu.stop();
    console.log('done');
  }
});
for (const text of ['Hello, bot!', 'Polygram speaks MTProto, from Node.']) {
  const { id } = await alice.sendMessage('@echo_bot', text);
  console.log(`${alice.me.first_name} -> @echo_bot: "${text}" (message ${id})`);
}
