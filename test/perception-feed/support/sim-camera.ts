/**
 * The simulated drone camera as a real video stream: the simulator's
 * software renderer draws what the camera sees now (true pose, lens, scene),
 * ffmpeg encodes it (MPEG-2 in MPEG-TS) and sends it over UDP, as a drone's
 * video downlink would.
 *
 * CenterNet does not take the renderer's blocky figures for people (scores
 * < 0.1, measured), so the scenery is rendered without them and each person
 * is drawn as a real one: a pedestrian cut out of vtest.avi (OpenCV's sample
 * clip), the pixels that differ from the clip's median background, scaled to
 * the person's projected feet-to-head extent. Where the person stands and how big they are still
 * come from the renderer's camera model; only their look is borrowed.
 *
 * Every frame also carries its number in a strip of 16 black/white blocks
 * along the bottom edge, so a reader can tell exactly which rendered frame
 * it decoded (for measuring the stream's latency).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CameraProjector } from '../../../mpc/camera.ts';
import { vec3 } from '../../../core/vec3.ts';
import { SoftwareRenderer } from '../../../sim/renderer.ts';
import type { SimWorld } from '../../../sim/world.ts';
import { ffmpegPath } from '../../../perception/sources/ffmpeg.ts';
import { openFrameSource } from '../../../perception/sources/ffmpeg-source.ts';

export const VTEST_PATH = resolve(import.meta.dirname, '../../../../shared/data/vtest.avi');
export const HAVE_VTEST = existsSync(VTEST_PATH);
/** A pedestrian in vtest.avi walking alone (frame, [x, y, w, h]), scored 0.3–0.5 when pasted into the sim. */
const SPRITE_FRAME = 240;
const SPRITE_BOX = [448, 250, 35, 101] as const;
/** Frame-number strip: blocks of this many pixels along the bottom edge. */
export const CODE_BITS = 16;
export const CODE_BLOCK_PX = 8;

export interface Sprite {
  width: number;
  height: number;
  rgb: Uint8Array;
  mask: Uint8Array;
}

/** Cut the pedestrian out of vtest.avi: pixels differing from the median of the clip's first frames. */
export async function loadPersonSprite(): Promise<Sprite> {
  const src = openFrameSource(VTEST_PATH);
  const info = await src.open();
  const [x0, y0, w, h] = SPRITE_BOX;
  const samples: Uint8Array[] = [];
  let person: Uint8Array | null = null;
  for (let i = 0; i <= SPRITE_FRAME; i++) {
    const f = await src.next();
    if (!f) break;
    const crop = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) crop.set(f.data.subarray(((y0 + y) * info.width + x0) * 3, ((y0 + y) * info.width + x0 + w) * 3), y * w * 3);
    if (i % 8 === 0) samples.push(crop);
    if (i === SPRITE_FRAME) person = crop;
  }
  await src.close();
  if (!person) throw new Error('vtest.avi is shorter than expected');
  const mask = new Uint8Array(w * h);
  const column = new Array<number>(samples.length);
  for (let p = 0; p < w * h; p++) {
    let diff = 0;
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < samples.length; k++) column[k] = samples[k]![p * 3 + c]!;
      column.sort((a, b) => a - b);
      diff = Math.max(diff, Math.abs(person[p * 3 + c]! - column[column.length >> 1]!));
    }
    mask[p] = diff > 28 ? 1 : 0;
  }
  return { width: w, height: h, rgb: person, mask };
}

/**
 * Draw the sprite for every person at their projected size: each row is
 * centred on the line from the projected feet to the projected head, so the
 * person leans with the perspective like the renderer's figure would.
 */
export function overdrawPeople(world: SimWorld, sprite: Sprite, rgb: Uint8Array, W: number, H: number): void {
  const proj = new CameraProjector(world.cameraPose(), world.intrinsics());
  for (const s of world.subjects) {
    if (s.kind !== 'person') continue;
    const p = s.state.positionNedM;
    const feet = proj.project(vec3(p.x, p.y, p.z));
    const fu = feet.u * W, fv = feet.v * H;
    const head = proj.project(vec3(p.x, p.y, p.z - s.heightM));
    if (!feet.inFront || !head.inFront) continue;
    const hu = head.u * W, hv = head.v * H;
    const hPx = fv - hv;
    if (!(hPx > 4)) continue;
    const wPx = (hPx * sprite.width) / sprite.height;
    const y1 = Math.max(0, Math.floor(hv)), y2 = Math.min(H, Math.ceil(fv));
    for (let y = y1; y < y2; y++) {
      const t = (y - hv) / hPx;
      const sy = Math.min(sprite.height - 1, Math.floor(t * sprite.height));
      if (sy < 0) continue;
      const left = hu + (fu - hu) * t - wPx / 2;
      const x1 = Math.max(0, Math.floor(left)), x2 = Math.min(W, Math.ceil(left + wPx));
      for (let x = x1; x < x2; x++) {
        const sx = Math.min(sprite.width - 1, Math.floor(((x - left) / wPx) * sprite.width));
        if (sx < 0) continue;
        const si = sy * sprite.width + sx;
        if (!sprite.mask[si]) continue;
        const o = (y * W + x) * 3;
        rgb[o] = sprite.rgb[si * 3]!;
        rgb[o + 1] = sprite.rgb[si * 3 + 1]!;
        rgb[o + 2] = sprite.rgb[si * 3 + 2]!;
      }
    }
  }
}

export function drawFrameCode(rgb: Uint8Array, W: number, H: number, n: number): void {
  for (let b = 0; b < CODE_BITS; b++) {
    const v = (n >> b) & 1 ? 255 : 0;
    for (let y = H - CODE_BLOCK_PX; y < H; y++) for (let x = b * CODE_BLOCK_PX; x < (b + 1) * CODE_BLOCK_PX; x++) rgb.fill(v, (y * W + x) * 3, (y * W + x) * 3 + 3);
  }
}

export function readFrameCode(rgb: Uint8Array, W: number, H: number): number {
  let n = 0;
  const y = H - (CODE_BLOCK_PX >> 1);
  for (let b = 0; b < CODE_BITS; b++) {
    const x = b * CODE_BLOCK_PX + (CODE_BLOCK_PX >> 1);
    const o = (y * W + x) * 3;
    if (rgb[o]! + rgb[o + 1]! + rgb[o + 2]! > 3 * 128) n |= 1 << b;
  }
  return n;
}

export interface SimCameraOptions {
  /** udp://127.0.0.1:PORT */
  url: string;
  fps?: number;
  widthPx?: number;
  sprite: Sprite;
  /** called with every frame sent (debugging: e.g. write a PNG now and then) */
  onFrame?: (rgb: Uint8Array, width: number, height: number, n: number) => void;
}

/** Renders the world's camera at `fps` (wall clock) and streams it; `sentAtMs[n]` is when frame n went to the encoder. */
export class SimCameraStream {
  readonly sentAtMs: number[] = [];
  readonly sentSimTimeS: number[] = [];
  renderMs: number[] = [];
  skipped = 0;
  private proc: ChildProcessWithoutNullStreams | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly renderer: SoftwareRenderer;
  readonly width: number;
  readonly height: number;
  readonly fps: number;

  constructor(private readonly world: SimWorld, private readonly options: SimCameraOptions) {
    this.fps = options.fps ?? 10;
    const cam = world.rig.camera;
    this.width = options.widthPx ?? 640;
    this.height = Math.round((this.width * cam.imageHeightPx) / cam.imageWidthPx / 2) * 2;
    this.renderer = new SoftwareRenderer(this.width, this.height);
  }

  async start(): Promise<void> {
    const args = [
      '-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${this.width}x${this.height}`, '-r', String(this.fps), '-i', 'pipe:0',
      '-threads', '1', '-c:v', 'mpeg2video', '-q:v', '3', '-g', String(this.fps), '-bf', '0', '-flush_packets', '1', '-muxdelay', '0', '-muxpreload', '0',
      '-f', 'mpegts', `${this.options.url}?pkt_size=1316`,
    ];
    const proc = spawn(await ffmpegPath(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdin.on('error', () => undefined);
    proc.stderr.on('data', () => undefined);
    this.proc = proc;
    const periodMs = 1000 / this.fps;
    const t0 = performance.now();
    let k = 0;
    const tick = () => {
      if (!this.proc) return;
      this.frame();
      k++;
      this.timer = setTimeout(tick, Math.max(0, t0 + k * periodMs - performance.now()));
    };
    tick();
  }

  private frame(): void {
    const proc = this.proc!;
    if (proc.stdin.writableLength > 4 * this.width * this.height * 3) {
      this.skipped++; // the encoder is behind: a live camera drops, it does not queue
      return;
    }
    const a = performance.now();
    // the scenery without the renderer's figures (the world seen through an object that hides them), then the people
    const scenery = Object.create(this.world, { subjects: { value: this.world.subjects.filter((x) => x.kind !== 'person') } }) as SimWorld;
    const rgb = this.renderer.renderWorld(scenery, { depthOfField: false });
    overdrawPeople(this.world, this.options.sprite, rgb, this.width, this.height);
    const n = this.sentAtMs.length;
    drawFrameCode(rgb, this.width, this.height, n);
    this.options.onFrame?.(rgb, this.width, this.height, n);
    this.sentAtMs.push(performance.timeOrigin + a); // the world as it was when rendering began
    this.sentSimTimeS.push(this.world.timeS);
    proc.stdin.write(rgb);
    this.renderMs.push(performance.now() - a);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    const proc = this.proc;
    this.proc = null;
    if (!proc) return;
    proc.stdin.end();
    await new Promise<void>((r) => {
      const t = setTimeout(() => { proc.kill('SIGKILL'); r(); }, 2000);
      proc.once('exit', () => { clearTimeout(t); r(); });
    });
  }
}
