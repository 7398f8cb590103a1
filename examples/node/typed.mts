// The raw API with types generated from the schema: requests are checked field by field and
// results narrowed by their "_" constructor. Checked with `tsc --noEmit` (bindings/node tsconfig)
// and run by the binding's tests (compiled into bindings/node, where 'polygram' resolves).
import { Emulator, FloodWaitError, BadRequestError, type TL } from 'polygram';

const emu = await Emulator.start();
await emu.createUser({ phone: '9996241234', firstName: 'Tess' });
const client = await emu.client();
await client.start({ phone: '+9996241234', code: () => emu.loginCode('9996241234') });
await client.sendMessage('me', 'typed hello');

const self: TL.TypeInputPeer = { _: 'inputPeerSelf' };
const history = await client.invoke({
  _: 'messages.getHistory', peer: self, offset_id: 0, offset_date: 0, add_offset: 0, limit: 10, max_id: 0, min_id: 0, hash: 0n,
});
if (history._ !== 'messages.messagesNotModified') {
  for (const m of history.messages) {
    if (m._ === 'message') console.log(`message ${m.id}: ${m.message}`);
  }
  // users[].id is a long: bigint.
  const ids: bigint[] = history.users.map((u) => u.id);
  console.log(`users: ${ids.join(', ')}`);
}

const dc = await client.invoke({ _: 'help.getNearestDc' });
console.log(`this DC: ${dc.this_dc}`);

await emu.failNext('help.getNearestDc', 'FLOOD_WAIT_120');
try {
  await client.invoke({ _: 'help.getNearestDc' });
} catch (e) {
  if (e instanceof FloodWaitError) console.log(`flood wait: ${e.seconds} s`);
  else if (e instanceof BadRequestError) console.log(`bad request: ${e.errorMessage}`);
  else throw e;
}

// Mistakes the types catch (never called):
export function mistakes() {
  // @ts-expect-error limit is an int, not a string
  client.invoke({ _: 'messages.getHistory', peer: self, offset_id: 0, offset_date: 0, add_offset: 0, limit: '10', max_id: 0, min_id: 0, hash: 0n });
  // @ts-expect-error hash is a long: bigint
  client.invoke({ _: 'messages.getHistory', peer: self, offset_id: 0, offset_date: 0, add_offset: 0, limit: 10, max_id: 0, min_id: 0, hash: 0 });
  // @ts-expect-error no such function
  client.invoke({ _: 'messages.getHistoryy' });
}

await client.disconnect();
emu.stop();
console.log('done');
