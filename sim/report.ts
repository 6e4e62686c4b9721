/**
 * HTML report of one validated shot: metrics and verdict, inline SVG plots
 * (top view of the drone and subject paths; focal length, focus distance with
 * subject distances and the depth-of-field band, aperture; composition and
 * size error over time) and a few rendered camera frames (PNG) with the
 * rule-of-thirds grid and the shot's target points.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbFrame } from '../core/perception-types.ts';
import type { RunShotResult, TickInfo } from './harness.ts';
import { renderCameraView } from './renderer.ts';
import { writePng } from './png.ts';
import { tickErrors } from './metrics.ts';
import type { ShotTrace } from './trace.ts';

/** Where in the shot frames are captured, as fractions of its duration. */
export const REPORT_FRAME_FRACTIONS = [0.1, 0.35, 0.6, 0.85];
export const REPORT_FRAME_WIDTH_PX = 480;

export interface CapturedFrame {
  timeS: number;
  frame: RgbFrame;
}

/** An onTick hook for runShot that renders frames at REPORT_FRAME_FRACTIONS of the shot. */
export function frameCapture(durationS: number): { onTick: (info: TickInfo) => void; frames: CapturedFrame[] } {
  const frames: CapturedFrame[] = [];
  let startS: number | null = null, next = 0;
  return {
    frames,
    onTick: ({ world, timeS, output }) => {
      startS ??= timeS;
      if (next >= REPORT_FRAME_FRACTIONS.length || timeS - startS < REPORT_FRAME_FRACTIONS[next]! * durationS) return;
      next++;
      const markers = (output.targets?.points ?? []).map((p) => ({ u: p.u, v: p.v, colour: '#ff2020' }));
      frames.push({ timeS: timeS - startS, frame: renderCameraView(world, { widthPx: REPORT_FRAME_WIDTH_PX, thirds: true, markers }, frames.length) });
    },
  };
}

const PALETTE = ['#c0392b', '#2c3e50', '#8e44ad', '#16a085', '#d35400', '#7f8c8d'];
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

interface Series {
  name: string;
  colour: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

interface Band {
  name: string;
  colour: string;
  lower: Array<[number, number]>;
  upper: Array<[number, number]>;
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const step0 = span / count, mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A line chart as an SVG string. `equalAspect` keeps metres square (top view). */
function chart(opts: {
  title: string; xLabel: string; yLabel: string; series: Series[]; bands?: Band[];
  yRange?: [number, number]; shadeX?: [number, number]; equalAspect?: boolean; width?: number; height?: number; markEnds?: boolean;
  polygons?: Array<{ points: Array<[number, number]>; colour: string; fill?: string; label?: string }>;
}): string {
  const W = opts.width ?? 640, H = opts.height ?? 260, ml = 56, mr = 130, mt = 24, mb = 36;
  // polygons (the geofence) are context: they do not widen the view
  const all = [...opts.series.flatMap((s) => s.points), ...(opts.bands ?? []).flatMap((b) => [...b.lower, ...b.upper])]
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let [x0, x1] = all.length ? [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))] : [0, 1];
  let [y0, y1] = opts.yRange ?? (all.length ? [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))] : [0, 1]);
  if (x1 - x0 < 1e-9) { x0 -= 1; x1 += 1; }
  if (y1 - y0 < 1e-9) { y0 -= 1; y1 += 1; }
  const pw = W - ml - mr, ph = H - mt - mb;
  if (opts.equalAspect) {
    const margin = Math.max(2, 0.08 * Math.max(x1 - x0, y1 - y0));
    x0 -= margin; x1 += margin; y0 -= margin; y1 += margin;
    const scale = Math.max((x1 - x0) / pw, (y1 - y0) / ph);
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    x0 = cx - (scale * pw) / 2; x1 = cx + (scale * pw) / 2; y0 = cy - (scale * ph) / 2; y1 = cy + (scale * ph) / 2;
  } else {
    const pad = (y1 - y0) * 0.05;
    y0 -= pad; y1 += pad;
  }
  const X = (x: number) => ml + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y: number) => mt + ph - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * ph;
  const path = (pts: Array<[number, number]>) =>
    pts.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y], i) => `${i ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join('');
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${ml}" y="14" font-size="13" font-weight="bold">${esc(opts.title)}</text>`);
  parts.push(`<defs><clipPath id="c${opts.title.length}${W}"><rect x="${ml}" y="${mt}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  parts.push(`<rect x="${ml}" y="${mt}" width="${pw}" height="${ph}" fill="#fafafa" stroke="#999"/>`);
  if (opts.shadeX) parts.push(`<rect x="${X(opts.shadeX[0])}" y="${mt}" width="${Math.max(0, X(opts.shadeX[1]) - X(opts.shadeX[0]))}" height="${ph}" fill="#eee"><title>warm-up (not scored)</title></rect>`);
  for (const t of niceTicks(x0, x1)) parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${mt}" y2="${mt + ph}" stroke="#e4e4e4"/><text x="${X(t)}" y="${mt + ph + 14}" text-anchor="middle">${t}</text>`);
  for (const t of niceTicks(y0, y1)) parts.push(`<line x1="${ml}" x2="${ml + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e4e4e4"/><text x="${ml - 4}" y="${Y(t) + 4}" text-anchor="end">${t}</text>`);
  parts.push(`<text x="${ml + pw / 2}" y="${H - 4}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text transform="translate(12,${mt + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  parts.push(`<g clip-path="url(#c${opts.title.length}${W})">`);
  for (const p of opts.polygons ?? []) {
    parts.push(`<path d="${path(p.points)}Z" fill="${p.fill ?? 'none'}" stroke="${p.colour}" stroke-width="1">${p.label ? `<title>${esc(p.label)}</title>` : ''}</path>`);
  }
  for (const b of opts.bands ?? []) {
    const upper = b.upper.map(([x, y]) => [x, Number.isFinite(y) ? y : y1] as [number, number]);
    parts.push(`<path d="${path(b.lower)}${path(upper.slice().reverse()).replace(/^M/, 'L')}Z" fill="${b.colour}" opacity="0.25"/>`);
  }
  for (const s of opts.series) {
    parts.push(`<path d="${path(s.points)}" fill="none" stroke="${s.colour}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    if (opts.markEnds) {
      // hollow circle = start, filled = end (a subject standing still is just a dot)
      const finite = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      const a = finite[0], b = finite[finite.length - 1];
      if (a) parts.push(`<circle cx="${X(a[0]).toFixed(1)}" cy="${Y(a[1]).toFixed(1)}" r="3.5" fill="none" stroke="${s.colour}"/>`);
      if (b) parts.push(`<circle cx="${X(b[0]).toFixed(1)}" cy="${Y(b[1]).toFixed(1)}" r="3" fill="${s.colour}"/>`);
    }
  }
  parts.push('</g>');
  const legend = [...opts.series.map((s) => [s.name, s.colour] as const), ...(opts.bands ?? []).map((b) => [b.name, b.colour] as const)];
  legend.forEach(([name, colour], i) => {
    parts.push(`<rect x="${ml + pw + 10}" y="${mt + 4 + i * 16}" width="12" height="4" fill="${colour}"/><text x="${ml + pw + 26}" y="${mt + 10 + i * 16}">${esc(name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderReportHtml(result: RunShotResult, framesHtml: string): string {
  const { trace, metrics } = result;
  const t0 = trace.shotStartS;
  const time = (t: number) => t - t0;
  const ticks = trace.ticks;
  const names = ticks[0]?.subjects.map((s) => s.name) ?? [];
  const colourOf = (name: string, i: number) => PALETTE[i % PALETTE.length]!;

  // top view: x = east, y = north
  const top = chart({
    title: 'Top view (east → right, north ↑), metres; ○ start, ● end', xLabel: 'east, m', yLabel: 'north, m', equalAspect: true, markEnds: true, width: 640, height: 420,
    series: [
      { name: 'drone', colour: '#1f77b4', points: ticks.map((t) => [t.drone.positionNedM.y, t.drone.positionNedM.x]) },
      ...names.map((n, i) => ({ name: n, colour: colourOf(n, i), points: ticks.map((t) => { const s = t.subjects.find((x) => x.name === n)!; return [s.positionNedM.y, s.positionNedM.x] as [number, number]; }) })),
      ...(ticks[0]?.props ?? []).map((p) => ({ name: p.name, colour: '#f39c12', dashed: true, points: ticks.map((t) => { const q = t.props!.find((x) => x.name === p.name)!; return [q.positionNedM.y, q.positionNedM.x] as [number, number]; }) })),
    ],
    polygons: [{ points: trace.geofence.polygonNeM.map(([n, e]) => [e, n] as [number, number]), colour: '#d62728', label: 'geofence' }],
  });

  const errs = tickErrors(trace);
  const focal = chart({
    title: 'Focal length', xLabel: 'shot time, s', yLabel: 'mm', shadeX: [0, metrics.warmUpS],
    series: [{ name: 'focal length', colour: '#1f77b4', points: ticks.map((t) => [time(t.timeS), t.lens.focalLengthMm]) }],
  });
  const depths = names.map((n, i) => ({ name: `${n} distance`, colour: colourOf(n, i), points: errs.map((e) => [time(e.timeS), e.subjectDepthM[n]!] as [number, number]) }));
  const maxDepth = Math.max(1, ...depths.flatMap((d) => d.points.map((p) => p[1])), ...ticks.map((t) => t.lens.focusDistanceM).filter((x) => x < 200));
  const focus = chart({
    title: 'Focus: focus distance, depth-of-field band, subject distances', xLabel: 'shot time, s', yLabel: 'm', shadeX: [0, metrics.warmUpS],
    yRange: [0, maxDepth * 1.3],
    series: [{ name: 'focus distance', colour: '#000', points: ticks.map((t) => [time(t.timeS), t.lens.focusDistanceM]) }, ...depths],
    bands: [{ name: 'depth of field', colour: '#2ca02c', lower: errs.map((e) => [time(e.timeS), e.nearM]), upper: errs.map((e) => [time(e.timeS), e.farM]) }],
  });
  const aperture = chart({
    title: 'Aperture', xLabel: 'shot time, s', yLabel: 'f-number', shadeX: [0, metrics.warmUpS],
    series: [{ name: 'f-number', colour: '#9467bd', points: ticks.map((t) => [time(t.timeS), t.lens.fNumber]) }],
  });
  const comp = chart({
    title: 'Composition error (image units)', xLabel: 'shot time, s', yLabel: '‖Δ(u,v)‖', shadeX: [0, metrics.warmUpS],
    series: [{ name: 'composition', colour: '#d62728', points: errs.filter((e) => e.compositionError !== null).map((e) => [time(e.timeS), e.compositionError!]) }],
  });
  const size = chart({
    title: 'Size error (%)', xLabel: 'shot time, s', yLabel: '%', shadeX: [0, metrics.warmUpS],
    series: [{ name: 'size error', colour: '#ff7f0e', points: errs.filter((e) => e.sizeErrorPct !== null).map((e) => [time(e.timeS), e.sizeErrorPct!]) }],
  });

  const { tolerances, ...shown } = metrics;
  const rows = Object.entries(shown).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'number' ? String(Number(v.toPrecision(5))) : JSON.stringify(v))}</td></tr>`).join('');
  const tolRows = Object.entries(tolerances).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(JSON.stringify(v))}</td></tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>CinePilot validate: ${esc(trace.scene)} / ${esc(trace.spec.kind)}</title>
<style>body{font-family:sans-serif;margin:20px;max-width:1400px}table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}
.pass{color:#1a7f37}.fail{color:#c62828}.grid{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}figure{margin:0}figcaption{font-size:12px;color:#555}</style></head><body>
<h1>${esc(trace.scene)} / ${esc(trace.spec.kind)} — <span class="${metrics.passed ? 'pass' : 'fail'}">${metrics.passed ? 'PASSED' : 'FAILED'}</span></h1>
<p>Shot: <code>${esc(JSON.stringify(trace.spec))}</code><br>Controller ${esc(trace.controller)}, seed ${trace.seed}, physics ${trace.physicsRateHz} Hz, control ${trace.controlRateHz} Hz.
The first ${metrics.warmUpS} s (grey in the plots) are warm-up, excluded from composition, size, focus and jerk metrics.</p>
${metrics.failures.length ? `<ul class="fail">${metrics.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
<div class="grid"><table>${rows}</table><table><tr><th colspan="2">tolerances (${esc(trace.spec.kind)})</th></tr>${tolRows}</table></div>
<h2>Paths</h2>${top}
<h2>Lens</h2><div class="grid">${focal}${focus}${aperture}</div>
<h2>Errors</h2><div class="grid">${comp}${size}</div>
<h2>Camera view</h2><div class="grid">${framesHtml}</div>
</body></html>`;
}

/** Write DIR/index.html, DIR/metrics.json, DIR/trace.json and the frame PNGs. */
export function writeReport(dir: string, result: RunShotResult, frames: CapturedFrame[]): void {
  mkdirSync(dir, { recursive: true });
  const framesHtml = frames
    .map((f, i) => {
      const name = `frame-${i + 1}.png`;
      writePng(join(dir, name), f.frame);
      return `<figure><img src="${name}" width="${f.frame.width}" height="${f.frame.height}" alt="camera view at ${f.timeS.toFixed(1)} s"><figcaption>t = ${f.timeS.toFixed(1)} s (red crosses: the shot's target points)</figcaption></figure>`;
    })
    .join('');
  writeFileSync(join(dir, 'index.html'), renderReportHtml(result, framesHtml));
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(result.metrics, null, 2));
  writeFileSync(join(dir, 'trace.json'), JSON.stringify(result.trace satisfies ShotTrace));
}
