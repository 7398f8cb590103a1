// An echo bot and a user talking to it, offline, against the bundled Telegram emulator.
//   cd bindings/node && npm ci && cd ../.. && node examples/node/echo-bot.mjs
// In a project that installed the package, import from 'polygram' instead.
import { Emulator } from '../../bindings/node/index.mjs';

const emu = await Emulator.start();
const token = await emu.createBot({ username: 'echo_bot', firstName: 'Echo' });
await emu.createUser({ phone: '9996631234', firstName: 'Alice' });

// The bot: answers every incoming text with a reply, and /stop with "bye". Its replies are
// chained, so a shutdown can wait for the last one (handlers are not awaited by the client).
const bot = await emu.client();
await bot.start({ botToken: token });
let botBusy = Promise.resolve();
bot.on('NewMessage', { incoming: true }, (event) => {
  botBusy = botBusy.then(async () => {
    if (event.text === '/stop') return event.reply('bye');
    const sender = await event.getSender();
    return event.reply(`echo: ${event.text} (from ${sender.users[0].first_name})`);
  });
  return botBusy;
});
bot.on('handlerError', (err) => console.error('handler failed:', err));
console.log(`bot @${bot.me.username} is listening`);

// The user.
const alice = await emu.client();
await alice.start({ phone: '+9996631234', code: () => emu.loginCode('9996631234') });
console.log(`${alice.me.first_name} logged in on DC${(await alice.getState()).main_dc}`);

let replies = 0;
let sending; // Alice's messages, sent in order (below)
alice.on('NewMessage', { incoming: true }, async (event) => {
  console.log(`@echo_bot -> ${alice.me.first_name}: "${event.text}" (a reply to ${event.message.replyToMsgId})`);
  if (++replies === 3) {
    // Disconnecting releases the process: it exits by itself.
    await sending;
    await alice.disconnect();
    await botBusy;
    await bot.disconnect();
    emu.stop();
    console.log('done');
  }
});
sending = (async () => {
  for (const text of ['Hello, bot!', 'Polygram speaks MTProto, from Node.', '/stop']) {
    const { id } = await alice.sendMessage('@echo_bot', text);
    console.log(`${alice.me.first_name} -> @echo_bot: "${text}" (message ${id})`);
  }
})();
