// CommonJS: a user reads a chat's history with the async iterator and lists dialogs.
//   node examples/node/history.cjs
const { Emulator } = require('../../bindings/node');

async function main() {
  const emu = await Emulator.start();
  const me = await emu.createUser({ phone: '9996241001', firstName: 'Reader' });
  const pen = await emu.createUser({ phone: '9996241002', firstName: 'Penpal', username: 'penpal' });
  await emu.addContact(me.id, pen.id);
  for (let i = 1; i <= 30; i++) await emu.sendMessage(pen.id, me.id, `letter ${i}`);

  const client = await emu.client();
  await client.start({ phone: '+9996241001', code: () => emu.loginCode('9996241001') });
  let n = 0;
  for await (const message of client.iterMessages('@penpal', { batchSize: 8 })) {
    if (n++ < 3) console.log(`#${message.id} ${message.text}`);
  }
  console.log(`${n} messages in the chat with @penpal`);
  for await (const dialog of client.iterDialogs()) {
    console.log(`dialog: ${dialog.name} (${dialog.unread} unread), last: "${dialog.message && dialog.message.text}"`);
  }
  await client.disconnect();
  emu.stop();
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
