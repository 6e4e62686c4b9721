/**
 * Live strip charts on plain canvases: several series against a shared time
 * window, optional shaded band (the depth of field on the focus plot).
 */
import { PLOT_WINDOW_S, type Series } from './store.ts';

export interface PlotSeries {
  series: Series;
  colour: string;
  label: string;
  dashed?: boolean;
}

export interface PlotSpec {
  series: PlotSeries[];
  /** lower/upper series of a shaded band */
  band?: { lo: Series; hi: Series; colour: string };
  /** fixed y range, or padding around the data */
  yMin?: number;
  yMax?: number;
  unit: string;
  digits: number;
  /** smallest y span shown, so a constant signal does not fill the plot with noise-sized ticks */
  minSpan?: number;
}

export function drawPlot(canvas: HTMLCanvasElement, nowS: number, spec: PlotSpec): void {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const cw = Math.max(1, Math.floor(canvas.clientWidth * dpr)), ch = Math.max(1, Math.floor(canvas.clientHeight * dpr));
  if (canvas.width !== cw || canvas.height !== ch) {
    canvas.width = cw;
    canvas.height = ch;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const w = cw / dpr, h = ch / dpr;
  ctx.clearRect(0, 0, w, h);
  const left = 40, right = 8, bottom = 16;
  const pw = w - left - right;

  // legend: left to right under the title, wrapping onto more rows when narrow
  ctx.font = '10px sans-serif';
  const legend: Array<{ text: string; colour: string; x: number; y: number }> = [];
  let lx = left, ly = 25;
  for (const s of spec.series) {
    const last = s.series.last;
    const text = `${s.label} ${last !== undefined && Number.isFinite(last) ? last.toFixed(spec.digits) : '—'}${spec.unit}`;
    const tw = ctx.measureText(text).width;
    if (lx > left && lx + tw > left + pw) {
      lx = left;
      ly += 11;
    }
    legend.push({ text, colour: s.colour, x: lx, y: ly });
    lx += tw + 10;
  }
  const top = ly + 6;
  const ph = h - top - bottom;

  let lo = Number.POSITIVE_INFINITY, hi = Number.NEGATIVE_INFINITY;
  for (const s of spec.series) for (const v of s.series.v) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (spec.yMin !== undefined) lo = spec.yMin;
  if (spec.yMax !== undefined) hi = Math.max(spec.yMax, Number.isFinite(hi) ? hi : spec.yMax);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) { lo = 0; hi = 1; }
  const minSpan = spec.minSpan ?? 1e-6;
  if (hi - lo < minSpan) {
    const mid = (hi + lo) / 2;
    lo = spec.yMin !== undefined ? Math.max(spec.yMin, mid - minSpan / 2) : mid - minSpan / 2;
    hi = lo + minSpan;
  }
  const pad = (hi - lo) * 0.08;
  if (spec.yMin === undefined) lo -= pad;
  hi += pad;
  const t0 = nowS - PLOT_WINDOW_S;
  const x = (t: number) => left + ((t - t0) / PLOT_WINDOW_S) * pw;
  const y = (v: number) => top + (1 - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * ph;

  ctx.fillStyle = '#9aa5b4';
  ctx.font = '11px sans-serif';
  ctx.fillText(canvas.dataset.title ?? '', left, 12);
  ctx.strokeStyle = '#232b36';
  ctx.lineWidth = 1;
  // fewer horizontal lines when the plot is short, so the labels never overlap
  const rows = ph >= 70 ? 4 : ph >= 36 ? 2 : 1;
  ctx.beginPath();
  for (let i = 0; i <= rows; i++) {
    const yy = top + (i / rows) * ph;
    ctx.moveTo(left, yy);
    ctx.lineTo(left + pw, yy);
  }
  for (let s = 0; s <= PLOT_WINDOW_S; s += 10) {
    ctx.moveTo(x(t0 + s), top);
    ctx.lineTo(x(t0 + s), top + ph);
  }
  ctx.stroke();
  ctx.fillStyle = '#6c7787';
  ctx.font = '10px sans-serif';
  for (let i = 0; i <= rows; i++) {
    const v = hi - (i / rows) * (hi - lo);
    ctx.fillText(v.toFixed(spec.digits), 2, top + (i / rows) * ph + 3);
  }
  ctx.fillText(`−${PLOT_WINDOW_S} s`, left, h - 3);
  ctx.fillText('now', left + pw - 18, h - 3);

  if (spec.band) {
    const { lo: blo, hi: bhi, colour } = spec.band;
    ctx.fillStyle = colour;
    ctx.beginPath();
    for (let i = 0; i < blo.t.length; i++) ctx[i === 0 ? 'moveTo' : 'lineTo'](x(blo.t[i]!), y(blo.v[i]!));
    for (let i = bhi.t.length - 1; i >= 0; i--) ctx.lineTo(x(bhi.t[i]!), y(Number.isFinite(bhi.v[i]!) ? bhi.v[i]! : hi));
    ctx.closePath();
    ctx.fill();
  }
  for (const s of spec.series) {
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 1.6;
    ctx.setLineDash(s.dashed ? [4, 3] : []);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < s.series.t.length; i++) {
      const v = s.series.v[i]!;
      if (!Number.isFinite(v)) { pen = false; continue; }
      ctx[pen ? 'lineTo' : 'moveTo'](x(s.series.t[i]!), y(v));
      pen = true;
    }
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.font = '10px sans-serif';
  for (const l of legend) {
    ctx.fillStyle = l.colour;
    ctx.fillText(l.text, l.x, l.y);
  }
}
