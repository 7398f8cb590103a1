// Watching a group: joins, title changes, typing, read receipts and albums, then its members,
// offline against the bundled Telegram emulator.
//   cd bindings/node && npm ci && cd ../.. && node examples/node/group-events.mjs
// In a project that installed the package, import from 'polygram' instead.
import { Emulator } from '../../bindings/node/index.mjs';

const emu = await Emulator.start();
const aliceUser = await emu.createUser({ phone: '9996625101', firstName: 'Alice' });
const bobUser = await emu.createUser({ phone: '9996625102', firstName: 'Bob' });
await emu.addContact(aliceUser.id, bobUser.id);
await emu.addContact(bobUser.id, aliceUser.id);
const { peer: group } = await emu.createChannel({ creator: aliceUser.id, title: 'Gardeners', username: 'gardeners', megagroup: true });

async function login(phone) {
  const c = await emu.client();
  await c.start({ phone: `+${phone}`, code: () => emu.loginCode(phone) });
  return c;
}
const alice = await login('9996625101');
const bob = await login('9996625102');

// waitFor resolves with the next event of a kind that passes the filters.
function waitFor(client, kind, filters) {
  return new Promise((resolve) => {
    const h = (event) => { client.off(kind, h); resolve(event); };
    client.on(kind, filters, h);
  });
}
const nameOf = (users, id) => (users.find((u) => Number(u.id) === id) || {}).first_name ?? String(id);

// Alice watches the group.
alice.on('ChatAction', { chats: [group] }, (event) => {
  if (event.userJoined) console.log(`${event.actionUsers.map((u) => u.first_name).join(', ')} joined "Gardeners"`);
});
alice.on('UserUpdate', { func: (e) => e.typing }, (event) => console.log(`${event.userId === bob.me.id ? 'Bob' : event.userId} is typing`));
alice.on('MessageRead', { func: (e) => e.outbox }, (event) => console.log(`Bob read Alice's messages up to ${event.maxId}`));
alice.on('Album', { chats: [group] }, (event) => {
  console.log(`album of ${event.messages.length} from ${nameOf(event.users, event.senderId)}: "${event.text}"`);
});
bob.on('ChatAction', { chats: [group], func: (e) => e.newTitle }, (event) => {
  console.log(`title changed to "${event.title}" by ${nameOf(event.users, event.senderId)}`);
});

// Bob joins by the public username.
const joined = waitFor(alice, 'ChatAction', { chats: [group], func: (e) => e.userJoined });
const g = await bob.resolvePeer('@gardeners');
await bob.invoke({ _: 'channels.joinChannel', channel: { _: 'inputChannel', channel_id: BigInt(g.id), access_hash: BigInt(g.access_hash) } });
await joined;

// Alice renames the group.
const renamed = waitFor(bob, 'ChatAction', { chats: [group], func: (e) => e.newTitle });
const mine = await alice.resolvePeer(group);
await alice.invoke({ _: 'channels.editTitle', channel: { _: 'inputChannel', channel_id: BigInt(mine.id), access_hash: BigInt(mine.access_hash) }, title: "Gardeners' club" });
await renamed;

// Bob types to Alice, gets her message and reads it.
const typing = waitFor(alice, 'UserUpdate', { func: (e) => e.typing });
await bob.typing('+9996625101');
await typing;
const got = waitFor(bob, 'NewMessage', { incoming: true, pattern: /^seeds/ });
const read = waitFor(alice, 'MessageRead', { func: (e) => e.outbox });
await alice.sendMessage('+9996625102', 'seeds are in the shed');
await (await got).message.markRead();
await read;

// Bob posts three pictures at once: one Album event, not three messages.
const album = waitFor(alice, 'Album', { chats: [group] });
await bob.sendFile(group, [Buffer.from('tomato 1'), Buffer.from('tomato 2'), Buffer.from('tomato 3')], { caption: 'our tomatoes' });
await album;

const members = [];
for await (const p of alice.iterParticipants(group)) members.push(`${p.user.first_name}${p.creator ? ' (creator)' : ''}`);
console.log(`members: ${members.sort().join(', ')}`);

await Promise.all([alice.disconnect(), bob.disconnect()]);
emu.stop();
console.log('done');
