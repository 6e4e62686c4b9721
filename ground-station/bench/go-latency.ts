/**
 * Benchmark: time from "go" (a WebSocket command leaving the client) to the
 * first setpoint of that shot reaching the vehicle link, and the state
 * stream's delivered rate and frame size. Runs the real studio (simulator +
 * controller runtime + shot controller) behind the real server on a
 * loopback port, in this process, so both ends read one monotonic clock.
 *
 *   node --import tsx ground-station/bench/go-latency.ts [--trials 20] [--controller mpc|baseline] [--json]
 *
 * Prints medians and p90/max; figures, not pass/fail.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseFlags, numberFlag } from '../../cli/args.ts';
import { monotonicS } from '../../core/units.ts';
import { startStudioServer } from '../launch.ts';

const { values } = parseFlags(process.argv.slice(2), {
  trials: { type: 'string' }, controller: { type: 'string' }, json: { type: 'boolean' }, 'stream-s': { type: 'string' },
}, false);
const trials = numberFlag('trials', values.trials, { min: 1, max: 500, integer: true }) ?? 20;
const streamS = numberFlag('stream-s', values['stream-s'], { min: 1, max: 60 }) ?? 5;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const configDir = mkdtempSync(join(tmpdir(), 'cinepilot-bench-'));
const server = await startStudioServer({
  port: 0, host: '127.0.0.1', configDir, webOutDir: join(configDir, 'web'),
  studio: { flightLogPath: null, ...(values.controller ? { controller: values.controller } : {}) },
});
const slot = [...server.studio.vehicles.values()][0]!;
const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.pilotToken}`);
let stateFrames = 0, stateBytes = 0;
const replies = new Map<string, (m: { type: string }) => void>();
ws.on('message', (data) => {
  const text = String(data);
  const m = JSON.parse(text) as { type: string; id?: string };
  if (m.type === 'state') {
    stateFrames++;
    stateBytes += text.length;
  }
  if (m.id && replies.has(m.id)) replies.get(m.id)!(m);
});
await new Promise((r) => ws.once('open', r));
const send = (type: string, fields: object, id: string) =>
  new Promise<{ type: string }>((resolve) => {
    replies.set(id, resolve);
    ws.send(JSON.stringify({ type, id, ...fields }));
  });

// state stream rate over a quiet window
await sleep(1000);
const f0 = stateFrames, b0 = stateBytes, t0 = monotonicS();
await sleep(streamS * 1000);
const streamHz = (stateFrames - f0) / (monotonicS() - t0);
const frameBytes = (stateBytes - b0) / Math.max(1, stateFrames - f0);

const latenciesMs: number[] = [], ackMs: number[] = [], firstSolveMs: number[] = [];
const spec = { kind: 'track', subjects: ['alice'], framing: 'medium' };
for (let i = 0; i < trials; i++) {
  await send('stop', {}, `s${i}`);
  // wait until nothing streams any more, so the next setpoint can only come from the new shot
  let last = slot.setpoints;
  for (;;) {
    await sleep(150);
    if (slot.setpoints === last && !slot.runtime.supervisor.streaming) break;
    last = slot.setpoints;
  }
  let firstAt: number | null = null;
  let solveMs: number | null = null;
  const off = server.studio.onSetpoint(slot.id, (_sp, at) => {
    firstAt ??= at;
  });
  // the controller's own compute time on that first tick (the rest is waiting for the tick)
  const sub = slot.runtime.state$.subscribe((snap) => {
    if (firstAt !== null && solveMs === null && snap?.sent.setpoint) solveMs = snap.solver?.solveMs ?? 0;
  });
  const sentAt = monotonicS();
  const ack = await send('go', { spec }, `g${i}`);
  const ackAt = monotonicS();
  if (ack.type !== 'ack') throw new Error(`go refused: ${JSON.stringify(ack)}`);
  while (firstAt === null && monotonicS() - sentAt < 5) await sleep(1);
  off();
  if (firstAt === null) throw new Error('no setpoint within 5 s of go');
  while (solveMs === null && monotonicS() - sentAt < 5) await sleep(1);
  sub.unsubscribe();
  if (solveMs !== null) firstSolveMs.push(solveMs);
  latenciesMs.push((firstAt - sentAt) * 1000);
  ackMs.push((ackAt - sentAt) * 1000);
  process.stderr.write(`\rgo → setpoint: ${i + 1}/${trials}`);
}
process.stderr.write('\n');
ws.close();
await server.close();

const result = {
  controller: slot.controllerKind,
  controlRateHz: slot.runtime.loop.rateHz,
  trials,
  goToFirstSetpointMs: { p50: quantile(latenciesMs, 0.5), p90: quantile(latenciesMs, 0.9), max: Math.max(...latenciesMs) },
  goAckMs: { p50: quantile(ackMs, 0.5), p90: quantile(ackMs, 0.9) },
  firstTickSolveMs: firstSolveMs.length ? { p50: quantile(firstSolveMs, 0.5), p90: quantile(firstSolveMs, 0.9) } : null,
  stateStream: { hz: streamHz, frameBytes: Math.round(frameBytes) },
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`controller ${result.controller} at ${result.controlRateHz} Hz, ${trials} trials`);
  console.log(`go → first setpoint: median ${result.goToFirstSetpointMs.p50.toFixed(1)} ms, p90 ${result.goToFirstSetpointMs.p90.toFixed(1)} ms, max ${result.goToFirstSetpointMs.max.toFixed(1)} ms (target ≤ 100 ms)`);
  console.log(`go ack round trip: median ${result.goAckMs.p50.toFixed(1)} ms`);
  if (result.firstTickSolveMs) console.log(`shot controller compute on that first tick: median ${result.firstTickSolveMs.p50.toFixed(1)} ms, p90 ${result.firstTickSolveMs.p90.toFixed(1)} ms (the rest is the wait for the next ${(1000 / result.controlRateHz).toFixed(0)} ms tick)`);
  console.log(`state stream: ${result.stateStream.hz.toFixed(1)} Hz delivered, ${result.stateStream.frameBytes} bytes/frame`);
}
