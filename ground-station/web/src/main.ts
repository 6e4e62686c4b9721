/**
 * The ground-station web app: connects to the studio, draws the set and the
 * camera view, plots the lens and framing, and sends commands. Plain DOM +
 * Three.js; no framework.
 */
import type { HelloMessage, PreviewResult, StateMessage, VehicleState } from '../../protocol/state.ts';
import { CameraView } from './camera-view.ts';
import { CommandBox } from './command-box.ts';
import { CommandError, Connection } from './connection.ts';
import { Microphone } from './microphone.ts';
import { drawPlot } from './plots.ts';
import { SetView } from './set-view.ts';
import { Store } from './store.ts';
import { WorldScene } from './world-scene.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const PLOT_PERIOD_MS = 100;
const PANEL_PERIOD_MS = 250;
const SUBJECT_COLOURS = ['#ffd54f', '#4dd0e1', '#f06292', '#aed581', '#ba68c8'];

// The token arrives in the URL once; keep it for this tab and take it out of the address bar.
const params = new URLSearchParams(location.search);
const urlToken = params.get('token');
if (urlToken) {
  sessionStorage.setItem('cinepilot.token', urlToken);
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}
const token = urlToken ?? sessionStorage.getItem('cinepilot.token') ?? '';

const store = new Store();
const world = new WorldScene();
const setView = new SetView($('set-view'), world);
const cameraView = new CameraView($('camera-view'), world);
const conn = new Connection(token);
let lastPreview: { text: string | null; result: PreviewResult } | null = null;
let stateDirty = false;
let frames = 0;

// -- status line and banner ---------------------------------------------------
function banner(text: string | null, kind: 'error' | 'info' = 'error'): void {
  const b = $('banner');
  b.hidden = text === null;
  b.className = `banner ${kind === 'info' ? 'info' : ''}`;
  b.textContent = text ?? '';
}

function event(text: string, level: 'info' | 'warn' | 'error' = 'info'): void {
  const div = document.createElement('div');
  div.className = level;
  div.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  const box = $('events');
  box.prepend(div);
  while (box.childElementCount > 60) box.lastElementChild!.remove();
}

function showParsed(text: string, kind: 'ok' | 'error' | '' = ''): void {
  const p = $('parsed');
  p.textContent = text;
  p.className = `parsed ${kind || 'muted'}`;
}

function reportError(what: string, err: unknown): void {
  const e = err instanceof CommandError ? err : new CommandError('INTERNAL', String(err));
  showParsed(`${what}: ${e.message} [${e.code}]`, 'error');
  event(`${what} failed: ${e.message} [${e.code}]`, 'error');
}

conn.onStatus((s, detail) => {
  const pill = $('connection');
  pill.className = `pill ${s === 'open' ? 'pill-ok' : s === 'refused' ? 'pill-bad' : 'pill-warn'}`;
  pill.textContent = s === 'open' ? 'connected' : s === 'refused' ? 'access refused' : s === 'closed' ? 'disconnected' : 'connecting…';
  pill.title = detail;
  if (s === 'refused') banner(`Access refused — ${detail}`);
  else if (s === 'closed') banner(`Connection to the studio lost — ${detail}`);
  else if (s === 'open') banner(null);
  if (s !== 'open') event(`connection: ${detail}`, s === 'refused' ? 'error' : 'warn');
});

// -- commands -----------------------------------------------------------------
function vehicleId(): Record<string, string> {
  return store.vehicle ? { vehicleId: store.vehicle.id } : {};
}

async function command(type: string, fields: Record<string, unknown> = {}): Promise<unknown> {
  try {
    const result = await conn.send(type, fields);
    return result;
  } catch (err) {
    reportError(type, err);
    throw err;
  }
}

async function preview(input: { text?: string; spec?: unknown }): Promise<void> {
  showParsed('simulating the shot ahead…');
  try {
    const result = (await command('preview', { ...input, ...vehicleId() })) as PreviewResult;
    if (input.text) commandBox.remember(input.text);
    lastPreview = { text: input.text ?? null, result };
    showPreview(result);
    showParsed(`preview ${result.passed ? 'passes' : 'FAILS'}: ${JSON.stringify(result.spec)}   — Go flies exactly this`, result.passed ? 'ok' : 'error');
  } catch {
    // reported
  }
}

async function go(): Promise<void> {
  const text = commandBox.text;
  // What was previewed is what flies: the previewed spec when the words are unchanged.
  const input = lastPreview && (text === '' || text === lastPreview.text) ? { spec: lastPreview.result.spec } : text ? { text } : null;
  if (!input) {
    showParsed('type a shot (or pick one from the library) first', 'error');
    return;
  }
  try {
    const result = (await command('go', { ...input, ...vehicleId() })) as { spec?: unknown } | null;
    $('speech-stop').hidden = true;
    if (text) commandBox.remember(text);
    showParsed(`flying: ${JSON.stringify(result?.spec ?? input.spec ?? text)}`, 'ok');
  } catch {
    // reported
  }
}

function eStop(): void {
  $('estop').classList.add('engaged');
  conn.send('e-stop', {}).then(
    () => {
      event('E-STOP sent', 'warn');
      showParsed('E-STOP: every vehicle holds; autonomy stays off until a pilot releases it', 'error');
    },
    (err) => reportError('e-stop', err),
  );
}

const commandBox = new CommandBox($<HTMLInputElement>('command'), $<HTMLUListElement>('suggestions'), {
  preview: (text) => void preview({ text }),
  go: () => void go(),
});

$('preview').addEventListener('click', () => {
  if (commandBox.text) void preview({ text: commandBox.text });
  else showParsed('type a shot (or pick one from the library) first', 'error');
});
$('go').addEventListener('click', () => void go());
$('hold').addEventListener('click', () => void command('hold', vehicleId()).catch(() => undefined));
$('stop').addEventListener('click', () => void command('stop', vehicleId()).catch(() => undefined));
$('estop').addEventListener('click', eStop);
$('camera-source').addEventListener('click', () => {
  if (!store.hello?.video) return;
  const live = !cameraView.showingLive;
  cameraView.setLiveVideo(`${store.hello.video.url}?token=${encodeURIComponent(token)}`, live);
  $('camera-source').textContent = live ? 'show render' : 'show live video';
});
for (const b of document.querySelectorAll<HTMLButtonElement>('.pilot-row button[data-cmd]')) {
  b.addEventListener('click', () => {
    const type = b.dataset.cmd!;
    const fields: Record<string, unknown> = { ...vehicleId() };
    if (type === 'override') fields.active = !(store.vehicle?.safety.override ?? false);
    if (type === 'release-e-stop') $('estop').classList.remove('engaged');
    void command(type, fields).then(() => event(`${type} accepted`), () => undefined);
  });
}

// E-stop on the keyboard: Escape anywhere, Space outside text fields.
window.addEventListener('keydown', (e) => {
  const inText = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
  if (e.key === 'Escape' || (e.code === 'Space' && !inText)) {
    e.preventDefault();
    eStop();
  }
}, { capture: true });

/**
 * A spoken stop was heard and the server stopped the vehicles (autonomy off,
 * autopilot holds): say so plainly until the next shot is sent with Go.
 */
function showSpokenStop(heard: string): void {
  const box = $('speech-stop');
  box.textContent = `heard STOP (${heard}) → holding: autonomy off, the autopilot holds position. Go sends a new shot.`;
  box.hidden = false;
  showParsed(`spoken stop: ${heard} — holding`, 'error');
}

new Microphone($<HTMLButtonElement>('mic'), {
  transcript: (text) => {
    commandBox.text = text;
    void preview({ text });
  },
  recording: (wav) => {
    showParsed('recognising…');
    conn.post('/api/speech', wav, 'audio/wav').then(
      (r) => {
        const res = r as { transcript: string; parse: { ok: boolean; error?: string }; stop?: { heard: string; by: string } };
        // a spoken stop has already been acted on: nothing to preview
        if (res.stop) return showSpokenStop(`“${res.stop.heard}”`);
        commandBox.text = res.transcript;
        if (res.parse.ok) void preview({ text: res.transcript });
        else showParsed(`heard “${res.transcript}”: ${res.parse.error}`, 'error');
      },
      (err) => reportError('speech', err),
    );
  },
  status: (text, error) => showParsed(text, error ? 'error' : ''),
});

// -- messages from the studio ---------------------------------------------------
function showLibrary(hello: HelloMessage): void {
  const lib = $('library');
  lib.replaceChildren(...hello.shotLibrary.map((entry) => {
    const chip = document.createElement('button');
    chip.className = 'chip';
    chip.textContent = entry.label;
    chip.title = `${entry.text} — click to preview; Go flies it`;
    chip.disabled = !store.can('preview');
    chip.addEventListener('click', () => {
      commandBox.text = entry.text;
      void preview({ spec: entry.spec }).then(() => {
        if (lastPreview) lastPreview.text = entry.text;
      });
    });
    return chip;
  }));
  const names = hello.scene.subjectNames;
  commandBox.setPhrases([
    ...hello.shotLibrary.map((e) => ({ text: e.text, hint: e.label })),
    ...names.flatMap((n) => [
      { text: `track ${n}, medium shot`, hint: 'track' },
      { text: `orbit ${n} clockwise`, hint: 'orbit' },
      { text: `dolly zoom on ${n}, 24 to 70 millimetres over eight seconds`, hint: 'dolly zoom' },
      { text: `track ${n} from the left, close-up, shallow depth of field`, hint: 'track' },
    ]),
    ...(names.length >= 2 ? [{ text: `rack focus from ${names[1]} to ${names[0]}`, hint: 'rack focus' }, { text: `two-shot of ${names[0]} and ${names[1]}`, hint: 'two-shot' }] : []),
    { text: 'hold', hint: 'hold' },
    { text: 'return home', hint: 'vehicle' },
  ]);
}

conn.on('hello', (hello: HelloMessage) => {
  store.hello = hello;
  world.setScene(hello.scene);
  $('identity').textContent = `${hello.name} · ${hello.role}`;
  showLibrary(hello);
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-cmd], #preview, #go, #hold, #stop, #mic')) {
    const cmd = b.dataset.cmd ?? (b.id === 'mic' ? 'parse' : b.id);
    b.disabled = !store.can(cmd);
    if (b.disabled) b.title = `needs a role that may send ${cmd}; you are ${hello.role}`;
  }
  $<HTMLInputElement>('command').disabled = !store.can('parse');
  const sourceButton = $<HTMLButtonElement>('camera-source');
  sourceButton.hidden = hello.video === null;
  if (hello.video) {
    cameraView.setLiveVideo(`${hello.video.url}?token=${encodeURIComponent(token)}`, true);
    sourceButton.textContent = 'show render';
  }
  if (hello.role === 'viewer') showParsed('signed in as viewer: you can watch, not command', '');
  event(`connected as ${hello.name} (${hello.role}); state at ${hello.stateRateHz} Hz`);
});

conn.on('state', (msg: StateMessage) => {
  store.ingest(msg);
  stateDirty = true;
});
conn.on('event', (msg: { level: 'info' | 'warn'; text: string; command?: string; heard?: string }) => {
  event(msg.text, msg.heard ? 'warn' : msg.level);
  // everyone sees a spoken stop as soon as the server acts on it, before the shot decode ends
  if (msg.heard && msg.command === 'stop' && msg.level === 'info') showSpokenStop(msg.heard);
});
conn.on('scene', (msg: Pick<HelloMessage, 'scene' | 'shotLibrary'>) => {
  if (!store.hello) return;
  store.hello = { ...store.hello, scene: msg.scene, shotLibrary: msg.shotLibrary };
  showLibrary(store.hello);
});
conn.on('preview', (msg: { result: PreviewResult }) => {
  world.setPreview(msg.result.pathNedM);
  showPreview(msg.result);
});

// -- panels --------------------------------------------------------------------
function showPreview(r: PreviewResult): void {
  world.setPreview(r.pathNedM);
  const m = r.metrics as Record<string, unknown>;
  const rows: Array<[string, string, boolean?]> = [
    ['result', r.passed ? 'passes' : `fails: ${r.failures.join('; ')}`, r.passed],
    ['shot', `${r.spec.kind} ${r.spec.subjects.join(', ')}`],
    ['simulated', `${r.simulatedS.toFixed(1)} s in ${r.computeMs.toFixed(0)} ms`],
  ];
  const fmt = (k: string, digits: number, unit = '') => (typeof m[k] === 'number' ? `${(m[k] as number).toFixed(digits)}${unit}` : null);
  for (const [k, label, d, unit] of [
    ['compositionErrorRms', 'composition error RMS', 3, ''], ['sizeErrorRmsPct', 'size error RMS', 1, ' %'], ['sizeErrorMaxPct', 'size error max', 1, ' %'],
    ['inFocusFraction', 'in focus', 2, ''], ['focusReversals', 'focus reversals', 0, ''], ['jerkRms', 'jerk RMS', 2, ' m/s³'],
    ['minPersonDistanceM', 'closest person', 1, ' m'], ['geofenceViolations', 'geofence violations', 0, ''],
  ] as const) {
    const v = fmt(k, d, unit);
    if (v !== null) rows.push([label, v]);
  }
  const fl = m.focalLengthMm as { min?: number; max?: number } | undefined;
  if (fl && typeof fl.min === 'number' && typeof fl.max === 'number') rows.push(['focal length', `${fl.min.toFixed(0)}–${fl.max.toFixed(0)} mm`]);
  const kv = document.createElement('div');
  kv.className = 'kv';
  for (const [k, v, good] of rows) {
    const a = document.createElement('span');
    a.className = 'muted';
    a.textContent = k;
    const b = document.createElement('span');
    b.textContent = v;
    if (good !== undefined) b.className = good ? 'good' : 'bad';
    kv.append(a, b);
  }
  $('preview-result').replaceChildren(kv);
  $('preview-result').classList.remove('muted');
}

function fmtPct(x: number | null): string {
  return x === null ? '—' : `${Math.round(x * 100)} %`;
}

function renderPanels(): void {
  const st = store.state;
  if (!st) return;
  const v = store.vehicle;
  $('connection').textContent = conn.status === 'open' ? `connected · ${store.rateHz().toFixed(0)} Hz` : $('connection').textContent;
  // vehicles
  $('vehicles').replaceChildren(...st.vehicles.map((veh) => {
    const item = document.createElement('div');
    item.className = `item${veh.id === v?.id ? ' selected' : ''}`;
    item.innerHTML = '';
    const row1 = document.createElement('div');
    row1.className = 'row';
    row1.innerHTML = `<span class="name"></span><span class="muted"></span>`;
    row1.children[0]!.textContent = veh.label;
    row1.children[1]!.textContent = `${veh.mode}${veh.armed ? ' · armed' : ''}${veh.inAir ? ' · in air' : ''}`;
    const row2 = document.createElement('div');
    row2.className = 'row muted';
    row2.textContent = `${veh.link.kind} ${veh.link.connected ? 'linked' : 'NO LINK'} · battery ${fmtPct(veh.batteryFraction)} · alt ${(-veh.positionNedM[2]).toFixed(1)} m`;
    const row3 = document.createElement('div');
    row3.className = 'row muted';
    row3.textContent = `${veh.controller.kind}: ${veh.controller.status}${veh.controller.solveMs === null ? '' : ` · ${veh.controller.solveMs.toFixed(1)} ms`}`;
    item.append(row1, row2, row3);
    item.addEventListener('click', () => {
      store.selectedVehicleId = veh.id;
    });
    return item;
  }));
  // subjects (not while the DP is typing a name into one of them)
  if (!$('subjects').contains(document.activeElement)) $('subjects').replaceChildren(...st.subjects.map((s, i) => {
    const item = document.createElement('div');
    item.className = 'item';
    const row = document.createElement('div');
    row.className = 'row';
    const name = document.createElement('span');
    name.className = 'name';
    const sw = document.createElement('i');
    sw.className = 'swatch';
    sw.style.background = s.colour || SUBJECT_COLOURS[i % SUBJECT_COLOURS.length]!;
    name.append(sw, document.createTextNode(s.name ?? `#${s.id} (unnamed)`));
    const info = document.createElement('span');
    info.className = 'muted';
    const dist = s.name && v ? v.subjectDistancesM[s.name] : undefined;
    info.textContent = `${dist === undefined ? '' : dist > 0 ? `depth ${dist.toFixed(1)} m · ` : 'behind camera · '}${Math.hypot(s.velocityNedMps[0], s.velocityNedMps[1]).toFixed(1)} m/s`;
    row.append(name, info);
    item.append(row);
    if (!s.name && store.can('name-subject')) {
      const input = document.createElement('input');
      input.className = 'name-input';
      input.placeholder = 'name…';
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && input.value.trim()) void command('name-subject', { subjectId: s.id, name: input.value.trim().toLowerCase() }).catch(() => undefined);
      });
      item.append(input);
    }
    return item;
  }));
  // header: safety and shot
  if (v) {
    const safety = $('safety');
    safety.textContent = `safety: ${v.safety.state}${v.safety.reasons.length ? ` — ${v.safety.reasons[0]}` : ''}`;
    safety.className = `pill ${v.safety.eStop ? 'pill-bad' : v.safety.state === 'nominal' ? 'pill-ok' : 'pill-warn'}`;
    $('estop').classList.toggle('engaged', v.safety.eStop);
    const shot = v.shot;
    $('shot-label').textContent = shot.spec ? `${shot.spec.kind} ${shot.spec.subjects.join(' & ')} · ${shot.phase} · ${Math.round(shot.progress * 100)} %` : `no shot · ${shot.phase}`;
    $('shot-progress').style.width = `${Math.round(shot.progress * 100)}%`;
    $('override').classList.toggle('active', v.safety.override);
    $('camera-readout').textContent = `· ${v.label} · ${v.lens.focalLengthMm.toFixed(0)} mm f/${v.lens.fNumber.toFixed(1)}`;
  }
}

function renderPlots(v: VehicleState | null): void {
  const st = store.state;
  if (!st || !v) return;
  const h = store.history.get(v.id);
  if (!h) return;
  const now = st.timeS;
  drawPlot($<HTMLCanvasElement>('plot-focal'), now, { series: [{ series: h.focalMm, colour: '#4fc3f7', label: 'f' }], unit: ' mm', digits: 0, minSpan: 20 });
  const subjectsDrawn = [...h.subjectDistanceM.entries()].map(([name, series], i) => ({
    series, colour: st.subjects.find((s) => s.name === name)?.colour ?? SUBJECT_COLOURS[i % SUBJECT_COLOURS.length]!, label: name, dashed: true,
  }));
  drawPlot($<HTMLCanvasElement>('plot-focus'), now, {
    series: [{ series: h.focusM, colour: '#81c784', label: 'focus' }, ...subjectsDrawn],
    band: { lo: h.nearM, hi: h.farM, colour: 'rgba(129, 199, 132, 0.16)' },
    yMin: 0, unit: ' m', digits: 1,
  });
  drawPlot($<HTMLCanvasElement>('plot-aperture'), now, { series: [{ series: h.fNumber, colour: '#ffb74d', label: 'f/' }], unit: '', digits: 1, minSpan: 2 });
  drawPlot($<HTMLCanvasElement>('plot-composition'), now, { series: [{ series: h.composition, colour: '#ef5350', label: 'error' }], yMin: 0, unit: '', digits: 3, minSpan: 0.1 });
}

// -- render loop -----------------------------------------------------------------
let lastPlots = 0, lastPanels = 0;
/**
 * Adaptive frame budget: after a frame that took T ms to draw, wait at least
 * T ms before the next, so drawing never takes more than about half of the
 * main thread (software GL on a busy laptop stays responsive to commands and
 * to the e-stop key).
 */
let nextDrawAt = 0;
function frame(ts: number): void {
  requestAnimationFrame(frame);
  if (ts >= nextDrawAt) {
    const t0 = performance.now();
    // Draw only when a new state arrived (or the operator moves the set view): the
    // browser stays idle between state frames instead of rendering at the display rate.
    const changed = stateDirty && store.state !== null;
    if (changed) {
      world.update(store.state!, store.history);
      stateDirty = false;
      cameraView.render(store.vehicle);
    }
    setView.render(changed);
    nextDrawAt = ts + (performance.now() - t0);
    frames++;
  }
  if (ts - lastPlots > PLOT_PERIOD_MS) {
    renderPlots(store.vehicle);
    lastPlots = ts;
  }
  if (ts - lastPanels > PANEL_PERIOD_MS) {
    renderPanels();
    lastPanels = ts;
  }
}
requestAnimationFrame(frame);

// Read-only hook for the browser tests and for debugging in the console.
(window as unknown as { cinepilot: object }).cinepilot = {
  store,
  get frames() {
    return frames;
  },
  get connection() {
    return conn.status;
  },
};

void conn.start();
