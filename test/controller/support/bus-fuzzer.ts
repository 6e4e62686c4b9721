/**
 * Bus fuzzer, run as a separate process (child_process.fork with tsx) so the
 * flood competes with the controller for the CPU, not for its event loop, as
 * a misbehaving client on the network would. Settings arrive as JSON in
 * argv[2]; results go back over the IPC channel.
 */
import { Dealer, Publisher } from 'zeromq';
import { Rng } from '../../../sim/rng.ts';

interface FuzzSettings { commandEndpoint: string; commandMessages: number; stateMessages: number; seed: number; window: number }
const { commandEndpoint, commandMessages, stateMessages, seed, window } = JSON.parse(process.argv[2]!) as FuzzSettings;
const send = (m: unknown) => process.send!(m);
const rng = new Rng(seed, 'bus-fuzz');
const r = () => rng.next();

const VALID_REQUESTS = [
  { who: { id: 'dp', role: 'dp' }, command: { type: 'snapshot' } },
  { who: { id: 'p1', role: 'pilot' }, command: { type: 'hello' } },
  { who: { id: 'dp', role: 'dp' }, command: { type: 'shot', spec: { kind: 'track', subjects: ['alice'], distanceM: 8 }, text: 'track alice' } },
  { who: { id: 'dp', role: 'dp' }, command: { type: 'hold' } },
  { who: { id: 'v', role: 'viewer' }, command: { type: 'estop' } },
  { who: { id: 'p1', role: 'pilot' }, command: { type: 'takeoff', altitudeM: 5 } },
  { who: { id: 'p1', role: 'pilot' }, command: { type: 'override', on: false } },
];
const VALID_STATE = { timeS: 1, tick: 3, safety: { state: 'standby' }, shot: { phase: 'idle' }, link: { connected: true } };

function junk(depth = 0): unknown {
  switch (Math.floor(r() * 9)) {
    case 0: return null;
    case 1: return r() * 1e6 - 5e5;
    case 2: return r() < 0.5;
    case 3: return 'x'.repeat(Math.floor(r() * 40));
    case 4: return depth < 4 ? [junk(depth + 1), junk(depth + 1)] : [];
    case 5: return depth < 4 ? { a: junk(depth + 1), type: junk(depth + 1) } : {};
    case 6: return Number.MAX_VALUE;
    case 7: return '\u0000\uffff';
    default: return -0;
  }
}

/** random bytes, byte flips, truncation, field replacement, junk JSON, or the valid message */
function mutate(base: unknown): Buffer {
  const kind = Math.floor(r() * 6);
  if (kind === 0) return Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
  const json = JSON.stringify(base);
  if (kind === 1) {
    const b = Buffer.from(json);
    for (let i = 0; i < 1 + r() * 3; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    return b;
  }
  if (kind === 2) return Buffer.from(json.slice(0, Math.floor(r() * json.length)));
  if (kind === 3) {
    const obj = JSON.parse(json) as Record<string, unknown> | null;
    if (obj === null || typeof obj !== 'object') return Buffer.from(JSON.stringify(junk()));
    const target = (r() < 0.5 ? obj : (obj.command ?? obj.safety ?? obj)) as Record<string, unknown>;
    const keys = Object.keys(target);
    target[r() < 0.7 && keys.length ? keys[Math.floor(r() * keys.length)]! : `k${Math.floor(r() * 5)}`] = junk();
    return Buffer.from(JSON.stringify(obj));
  }
  if (kind === 4) return Buffer.from(JSON.stringify(junk()));
  return Buffer.from(json);
}

const pub = new Publisher({ linger: 0, sendHighWaterMark: 0 });
await pub.bind('tcp://127.0.0.1:*');
let go = false;
process.on('message', (m) => {
  if (m === 'go') go = true;
});
send({ type: 'pub', endpoint: pub.lastEndpoint });
// PUB/SUB joins late: probe until the controller side says its subscriber hears us
while (!go) {
  await pub.send(['state', JSON.stringify(VALID_STATE)]);
  await new Promise((res) => setTimeout(res, 10));
}

// 1. the controller's command edge, pipelined through a DEALER (a REQ would wait for each reply)
const dealer = new Dealer({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
dealer.connect(commandEndpoint);
let replies = 0, ok = 0, malformed = 0;
for (let sent = 0; sent < commandMessages; ) {
  const n = Math.min(window, commandMessages - sent);
  for (let i = 0; i < n; i++) {
    const base = VALID_REQUESTS[Math.floor(r() * VALID_REQUESTS.length)]!;
    await dealer.send(r() < 0.03 ? [Buffer.alloc(0), mutate(base), Buffer.from('extra')] : [Buffer.alloc(0), mutate(base)]);
  }
  sent += n;
  for (let i = 0; i < n; i++) {
    const [, reply] = await dealer.receive();
    replies++;
    const p = JSON.parse(reply!.toString()) as { ok: boolean; code?: string };
    if (p.ok) ok++;
    if (p.code === 'BUS_MALFORMED') malformed++;
  }
}

// 2. a client's state edge; ZeroMQ filters topics that match no subscription
let subscribed = 0;
for (let i = 0; i < stateMessages; i++) {
  const topic = r() < 0.85 ? (r() < 0.7 ? 'state' : 'event') : mutate('noise').toString('latin1');
  if (topic.startsWith('state') || topic.startsWith('event')) subscribed++;
  const frames = r() < 0.05 ? [topic] : r() < 0.05 ? [topic, mutate(VALID_STATE), 'x'] : [topic, mutate(VALID_STATE)];
  await pub.send(frames);
}
send({ type: 'done', replies, ok, malformed, stateSent: stateMessages, stateSubscribed: subscribed });
// keep the sockets open until the main thread has drained what is in flight
process.on('message', (m) => {
  if (m === 'close') {
    dealer.close();
    pub.close();
    process.disconnect();
  }
});
