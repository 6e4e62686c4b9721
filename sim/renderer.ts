/**
 * Software renderer of the drone camera's view: sky, a ground plane with a
 * 1 m / 5 m grid, scene objects (boxes, cylinders), and people as simple
 * shaded figures (legs, torso, arms, head, a face mark showing where they
 * look). Triangles are rasterised with a z-buffer in the optical frame of the
 * true camera pose and lens; optional depth-of-field blur spreads each pixel
 * by its thin-lens circle of confusion (focus distance, f-number, focal
 * length); optional rule-of-thirds lines and target markers for reports.
 *
 * `SimFrameSource` wraps it as a core FrameSource so perception can run on
 * simulated frames exactly as on a video stream.
 */
import type { FrameSource, FrameSourceInfo, RgbFrame } from '../core/perception-types.ts';
import { type CameraPose, type Mat3, cameraRotation, mat3, opticalToWorldDirection, worldToOptical } from '../core/frames.ts';
import { type Vec3, vec3, set } from '../core/vec3.ts';
import type { LensState } from '../core/vehicle-link.ts';
import type { Intrinsics } from '../mpc/camera.ts';
import type { SimWorld } from './world.ts';
import type { ShapeSpec } from './scene-schema.ts';

export const DEFAULT_RENDER_WIDTH_PX = 640;
/** Largest blur radius, px: beyond it the background is simply "very soft". */
export const MAX_BLUR_RADIUS_PX = 12;
/** Near clipping distance, m. */
const NEAR_CLIP_M = 0.05;
const CYLINDER_SIDES = 14;
const SUN_DIRECTION_NED = normalised(vec3(-0.4, 0.3, -0.85)); // from the surface toward the sun (up, south-east)
const SKY_TOP: RGB = [110, 160, 225];
const SKY_HORIZON: RGB = [200, 220, 240];
const GRASS: RGB = [118, 150, 92];
const GRID_MINOR: RGB = [100, 130, 78];
const GRID_MAJOR: RGB = [80, 104, 62];
const FOG_DISTANCE_M = 400;

type RGB = [number, number, number];

function normalised(v: Vec3): Vec3 {
  const n = Math.hypot(v.x, v.y, v.z);
  return set(v, v.x / n, v.y / n, v.z / n);
}

export function hexToRgb(hex: string): RGB {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A coloured convex polygon in world NED (vertices in order). */
interface Face {
  vertices: Vec3[];
  colour: RGB;
}

export interface RenderOptions {
  widthPx?: number;
  /** default: the camera profile's aspect ratio */
  heightPx?: number;
  depthOfField?: boolean;
  /** rule-of-thirds lines */
  thirds?: boolean;
  /** small crosses at normalised image points (e.g. the shot's targets) */
  markers?: Array<{ u: number; v: number; colour?: string }>;
}

/** Everything one frame needs: where the camera is and what the lens does. */
export interface RenderView {
  pose: CameraPose;
  intrinsics: Intrinsics;
  lens: LensState;
  cocMm: number;
}

/** Box from its base centre, yaw and size [length (along yaw), width, height]. */
function boxFaces(base: Vec3, yawRad: number, l: number, w: number, h: number, colour: RGB, out: Face[], z0 = 0): void {
  const c = Math.cos(yawRad), s = Math.sin(yawRad);
  const corner = (f: number, r: number, up: number) => vec3(base.x + c * f - s * r, base.y + s * f + c * r, base.z - up);
  const fl = l / 2, fw = w / 2;
  const b = [corner(fl, -fw, z0), corner(fl, fw, z0), corner(-fl, fw, z0), corner(-fl, -fw, z0)];
  const t = [corner(fl, -fw, z0 + h), corner(fl, fw, z0 + h), corner(-fl, fw, z0 + h), corner(-fl, -fw, z0 + h)];
  out.push({ vertices: [t[0]!, t[1]!, t[2]!, t[3]!], colour });
  out.push({ vertices: [b[3]!, b[2]!, b[1]!, b[0]!], colour });
  for (let i = 0; i < 4; i++) {
    const j = (i + 1) % 4;
    out.push({ vertices: [b[i]!, b[j]!, t[j]!, t[i]!], colour });
  }
}

function cylinderFaces(base: Vec3, radiusM: number, h: number, colour: RGB, out: Face[], z0 = 0): void {
  const ring = (up: number) =>
    Array.from({ length: CYLINDER_SIDES }, (_, i) => {
      const a = (2 * Math.PI * i) / CYLINDER_SIDES;
      return vec3(base.x + radiusM * Math.cos(a), base.y + radiusM * Math.sin(a), base.z - up);
    });
  const bot = ring(z0), top = ring(z0 + h);
  out.push({ vertices: top, colour });
  out.push({ vertices: bot.slice().reverse(), colour });
  for (let i = 0; i < CYLINDER_SIDES; i++) {
    const j = (i + 1) % CYLINDER_SIDES;
    out.push({ vertices: [bot[i]!, bot[j]!, top[j]!, top[i]!], colour });
  }
}

function shapeFaces(shape: ShapeSpec, base: Vec3, yawRad: number, colour: RGB, out: Face[]): void {
  if (shape.type === 'box') boxFaces(base, yawRad, shape.sizeM[0], shape.sizeM[1], shape.sizeM[2], colour, out);
  else cylinderFaces(base, shape.radiusM, shape.heightM, colour, out);
}

const LEGS: RGB = [52, 58, 74];
const SKIN: RGB = [224, 176, 140];
const HAIR: RGB = [60, 40, 30];

/** A standing figure; proportions as fractions of the height. */
function personFaces(feet: Vec3, headingRad: number, heightM: number, colour: RGB, out: Face[]): void {
  const h = heightM, c = Math.cos(headingRad), s = Math.sin(headingRad);
  const at = (fwd: number, right: number) => vec3(feet.x + c * fwd - s * right, feet.y + s * fwd + c * right, feet.z);
  boxFaces(at(0, -0.055 * h), headingRad, 0.075 * h, 0.07 * h, 0.47 * h, LEGS, out);
  boxFaces(at(0, 0.055 * h), headingRad, 0.075 * h, 0.07 * h, 0.47 * h, LEGS, out);
  boxFaces(at(0, 0), headingRad, 0.12 * h, 0.2 * h, 0.36 * h, colour, out, 0.46 * h);
  boxFaces(at(0, -0.13 * h), headingRad, 0.06 * h, 0.055 * h, 0.36 * h, colour, out, 0.45 * h);
  boxFaces(at(0, 0.13 * h), headingRad, 0.06 * h, 0.055 * h, 0.36 * h, colour, out, 0.45 * h);
  boxFaces(at(0, 0), headingRad, 0.05 * h, 0.05 * h, 0.05 * h, SKIN, out, 0.82 * h);
  boxFaces(at(0, 0), headingRad, 0.11 * h, 0.09 * h, 0.13 * h, SKIN, out, 0.87 * h);
  boxFaces(at(-0.01 * h, 0), headingRad, 0.115 * h, 0.095 * h, 0.03 * h, HAIR, out, 0.97 * h);
  // eyes/face mark: shows which way the person looks
  boxFaces(at(0.05 * h, 0), headingRad, 0.012 * h, 0.07 * h, 0.018 * h, HAIR, out, 0.925 * h);
}

export class SoftwareRenderer {
  readonly widthPx: number;
  readonly heightPx: number;
  private readonly rgb: Float32Array; // w × h × 3
  private readonly depth: Float32Array; // w × h, optical depth, m
  private readonly R: Mat3 = mat3();
  private readonly tmp: Vec3 = vec3();
  private sat: Float64Array | null = null;

  constructor(widthPx: number, heightPx: number) {
    this.widthPx = Math.max(8, Math.round(widthPx));
    this.heightPx = Math.max(8, Math.round(heightPx));
    this.rgb = new Float32Array(this.widthPx * this.heightPx * 3);
    this.depth = new Float32Array(this.widthPx * this.heightPx);
  }

  /** Render the world as the drone camera sees it now. */
  renderWorld(world: SimWorld, options: RenderOptions = {}): Uint8Array {
    const faces: Face[] = [];
    for (const o of world.objects) shapeFaces(o.shape, o.positionNedM, o.yawRad, hexToRgb(o.colour), faces);
    for (const s of world.subjects) {
      if (s.kind === 'person') personFaces(s.state.positionNedM, s.state.headingRad, s.heightM, hexToRgb(s.colour), faces);
      else shapeFaces(s.shape!, s.state.positionNedM, s.state.headingRad, hexToRgb(s.colour), faces);
    }
    return this.render(
      { pose: world.cameraPose(), intrinsics: world.intrinsics(), lens: world.lens.state, cocMm: world.rig.camera.cocMm },
      faces, options,
    );
  }

  private render(view: RenderView, faces: Face[], options: RenderOptions): Uint8Array {
    const W = this.widthPx, H = this.heightPx;
    const fx = (view.intrinsics.focalLengthMm / view.intrinsics.sensorWidthMm) * W;
    const fy = (view.intrinsics.focalLengthMm / view.intrinsics.sensorHeightMm) * H;
    cameraRotation(view.pose, this.R);
    this.drawBackground(view.pose, fx, fy);
    const o = view.pose.positionNedM;
    for (const f of faces) this.drawFace(view.pose, f, fx, fy, o);
    if (options.depthOfField ?? true) this.applyDepthOfField(view, W);
    const out = new Uint8Array(W * H * 3);
    for (let i = 0; i < out.length; i++) out[i] = this.rgb[i]! < 0 ? 0 : this.rgb[i]! > 255 ? 255 : this.rgb[i]!;
    if (options.thirds) drawThirds(out, W, H);
    for (const m of options.markers ?? []) drawCross(out, W, H, m.u * W, m.v * H, hexToRgb(m.colour ?? '#ff3030'));
    return out;
  }

  private drawBackground(pose: CameraPose, fx: number, fy: number): void {
    const W = this.widthPx, H = this.heightPx, R = this.R, d = this.tmp;
    const camN = pose.positionNedM.x, camE = pose.positionNedM.y, camZ = pose.positionNedM.z;
    const footprintPerM = 0.8 / fx;
    // the world ray of pixel (px, py) is linear in px and py: d = d00 + px·dX + py·dY
    const d00 = opticalToWorldDirection(R, vec3((0.5 - W / 2) / fx, (0.5 - H / 2) / fy, 1), vec3());
    const dX = opticalToWorldDirection(R, vec3(1 / fx, 0, 0), vec3());
    const dY = opticalToWorldDirection(R, vec3(0, 1 / fy, 0), vec3());
    const rgb = this.rgb, depthBuf = this.depth;
    for (let py = 0; py < H; py++) {
      for (let px = 0; px < W; px++) {
        d.x = d00.x + px * dX.x + py * dY.x;
        d.y = d00.y + px * dX.y + py * dY.y;
        d.z = d00.z + px * dX.z + py * dY.z;
        const i = py * W + px;
        let r: number, g: number, b: number, depth = Infinity;
        const len = Math.sqrt(d.x * d.x + d.y * d.y + d.z * d.z);
        if (d.z > 1e-6 && camZ < 0) {
          const t = -camZ / d.z; // optical depth, since the ray has optical z = 1
          const n = camN + t * d.x, e = camE + t * d.y;
          const range = t * len;
          const footprint = Math.max(0.02, range * footprintPerM);
          let c = GRASS;
          if (range < 150 && (gridDistance(n, 5) < footprint * 1.5 || gridDistance(e, 5) < footprint * 1.5)) c = GRID_MAJOR;
          else if (range < 60 && (gridDistance(n, 1) < footprint || gridDistance(e, 1) < footprint)) c = GRID_MINOR;
          const fog = Math.min(1, range / FOG_DISTANCE_M);
          r = c[0] + (SKY_HORIZON[0] - c[0]) * fog;
          g = c[1] + (SKY_HORIZON[1] - c[1]) * fog;
          b = c[2] + (SKY_HORIZON[2] - c[2]) * fog;
          depth = t;
        } else {
          const up = Math.max(0, -d.z / len);
          r = SKY_HORIZON[0] + (SKY_TOP[0] - SKY_HORIZON[0]) * up;
          g = SKY_HORIZON[1] + (SKY_TOP[1] - SKY_HORIZON[1]) * up;
          b = SKY_HORIZON[2] + (SKY_TOP[2] - SKY_HORIZON[2]) * up;
        }
        rgb[i * 3] = r;
        rgb[i * 3 + 1] = g;
        rgb[i * 3 + 2] = b;
        depthBuf[i] = depth;
      }
    }
  }

  private drawFace(pose: CameraPose, face: Face, fx: number, fy: number, origin: Vec3): void {
    const v = face.vertices;
    if (v.length < 3) return;
    // flat shading from the world normal; skip faces turned away from the camera
    const a = v[0]!, b = v[1]!, c = v[2]!;
    const ux = b.x - a.x, uy = b.y - a.y, uz = b.z - a.z, wx = c.x - a.x, wy = c.y - a.y, wz = c.z - a.z;
    let nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
    const nl = Math.hypot(nx, ny, nz);
    if (!(nl > 0)) return;
    nx /= nl; ny /= nl; nz /= nl;
    // vertices are wound so the normal points outward in a left-handed (NED) sense: flip to face the camera
    const toCam = (origin.x - a.x) * nx + (origin.y - a.y) * ny + (origin.z - a.z) * nz;
    const facing = toCam > 0 ? 1 : -1;
    const lambert = Math.max(0, facing * (nx * SUN_DIRECTION_NED.x + ny * SUN_DIRECTION_NED.y + nz * SUN_DIRECTION_NED.z));
    const shade = 0.5 + 0.5 * lambert;
    const col: RGB = [face.colour[0] * shade, face.colour[1] * shade, face.colour[2] * shade];
    // to optical frame, clip against the near plane
    let poly = v.map((p) => worldToOptical(pose, this.R, p, vec3()));
    poly = clipNear(poly);
    if (poly.length < 3) return;
    const W = this.widthPx, H = this.heightPx;
    const sx = poly.map((p) => W / 2 + (fx * p.x) / p.z);
    const sy = poly.map((p) => H / 2 + (fy * p.y) / p.z);
    const iz = poly.map((p) => 1 / p.z);
    for (let k = 1; k + 1 < poly.length; k++) this.rasterTriangle(sx[0]!, sy[0]!, iz[0]!, sx[k]!, sy[k]!, iz[k]!, sx[k + 1]!, sy[k + 1]!, iz[k + 1]!, col);
  }

  private rasterTriangle(x0: number, y0: number, z0: number, x1: number, y1: number, z1: number, x2: number, y2: number, z2: number, col: RGB): void {
    const W = this.widthPx, H = this.heightPx;
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(area) < 1e-9) return;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2))), maxX = Math.min(W - 1, Math.ceil(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2))), maxY = Math.min(H - 1, Math.ceil(Math.max(y0, y1, y2)));
    const inv = 1 / area;
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      for (let px = minX; px <= maxX; px++) {
        const cx = px + 0.5;
        const w0 = ((x1 - cx) * (y2 - cy) - (x2 - cx) * (y1 - cy)) * inv;
        const w1 = ((x2 - cx) * (y0 - cy) - (x0 - cx) * (y2 - cy)) * inv;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const depth = 1 / (w0 * z0 + w1 * z1 + w2 * z2);
        const i = py * W + px;
        if (depth >= this.depth[i]!) continue;
        this.depth[i] = depth;
        this.rgb[i * 3] = col[0];
        this.rgb[i * 3 + 1] = col[1];
        this.rgb[i * 3 + 2] = col[2];
      }
    }
  }

  /**
   * Thin-lens blur: circle of confusion on the sensor b = f²/(N(s−f))·|d−s|/d,
   * in pixels b·W/sensorWidth; each pixel becomes the mean of a box of that
   * diameter (summed-area table, so any radius costs the same).
   */
  private applyDepthOfField(view: RenderView, W: number): void {
    const H = this.heightPx;
    const fMm = view.lens.focalLengthMm, N = view.lens.fNumber, sMm = view.lens.focusDistanceM * 1000;
    const k = (fMm * fMm) / (N * Math.max(sMm - fMm, 1e-3)) * (W / view.intrinsics.sensorWidthMm);
    const stride = W + 1;
    const sat = (this.sat ??= new Float64Array(stride * (H + 1) * 3));
    for (let ch = 0; ch < 3; ch++) {
      const base = ch * stride * (H + 1);
      for (let y = 0; y < H; y++) {
        let row = 0;
        for (let x = 0; x < W; x++) {
          row += this.rgb[(y * W + x) * 3 + ch]!;
          sat[base + (y + 1) * stride + x + 1] = sat[base + y * stride + x + 1]! + row;
        }
      }
    }
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const dMm = this.depth[i]! * 1000;
        const blurPx = Number.isFinite(dMm) ? (k * Math.abs(dMm - sMm)) / dMm : k;
        const r = Math.min(MAX_BLUR_RADIUS_PX, Math.floor(blurPx / 2));
        if (r < 1) continue;
        const x0 = Math.max(0, x - r), x1 = Math.min(W, x + r + 1), y0 = Math.max(0, y - r), y1 = Math.min(H, y + r + 1);
        const n = (x1 - x0) * (y1 - y0);
        for (let ch = 0; ch < 3; ch++) {
          const base = ch * stride * (H + 1);
          this.rgb[i * 3 + ch] = (sat[base + y1 * stride + x1]! - sat[base + y0 * stride + x1]! - sat[base + y1 * stride + x0]! + sat[base + y0 * stride + x0]!) / n;
        }
      }
    }
  }
}

/** Distance from v to the nearest multiple of `spacing`. */
function gridDistance(v: number, spacing: number): number {
  return Math.abs(v - Math.round(v / spacing) * spacing);
}

/** Sutherland–Hodgman against z = NEAR_CLIP_M in the optical frame. */
function clipNear(poly: Vec3[]): Vec3[] {
  const out: Vec3[] = [];
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!, b = poly[(i + 1) % poly.length]!;
    const ain = a.z >= NEAR_CLIP_M, bin = b.z >= NEAR_CLIP_M;
    if (ain) out.push(a);
    if (ain !== bin) {
      const t = (NEAR_CLIP_M - a.z) / (b.z - a.z);
      out.push(vec3(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y), NEAR_CLIP_M));
    }
  }
  return out;
}

function putPixel(buf: Uint8Array, W: number, H: number, x: number, y: number, c: RGB, alpha = 1): void {
  if (x < 0 || y < 0 || x >= W || y >= H) return;
  const i = (y * W + x) * 3;
  buf[i] = buf[i]! + (c[0] - buf[i]!) * alpha;
  buf[i + 1] = buf[i + 1]! + (c[1] - buf[i + 1]!) * alpha;
  buf[i + 2] = buf[i + 2]! + (c[2] - buf[i + 2]!) * alpha;
}

/** Rule-of-thirds lines, half-transparent white. */
export function drawThirds(buf: Uint8Array, W: number, H: number): void {
  const white: RGB = [255, 255, 255];
  for (const f of [1 / 3, 2 / 3]) {
    const x = Math.round(f * W), y = Math.round(f * H);
    for (let yy = 0; yy < H; yy++) putPixel(buf, W, H, x, yy, white, 0.6);
    for (let xx = 0; xx < W; xx++) putPixel(buf, W, H, xx, y, white, 0.6);
  }
}

function drawCross(buf: Uint8Array, W: number, H: number, cx: number, cy: number, c: RGB): void {
  const x = Math.round(cx), y = Math.round(cy), r = Math.max(4, Math.round(W / 80));
  for (let d = -r; d <= r; d++) {
    putPixel(buf, W, H, x + d, y, c);
    putPixel(buf, W, H, x, y + d, c);
  }
}

/** Render one frame of the world's camera view. */
export function renderCameraView(world: SimWorld, options: RenderOptions = {}, index = 0): RgbFrame {
  const width = options.widthPx ?? DEFAULT_RENDER_WIDTH_PX;
  const cam = world.rig.camera;
  const height = options.heightPx ?? Math.round((width * cam.imageHeightPx) / cam.imageWidthPx);
  const r = new SoftwareRenderer(width, height);
  return { index, timestampS: world.timeS, width: r.widthPx, height: r.heightPx, data: r.renderWorld(world, options) };
}

/**
 * The simulator camera as a FrameSource. Frames are rendered on demand from
 * the world's current state; frames the camera would have produced (at its
 * fps, in simulated time) since the previous `next()` and nobody took count
 * as dropped, like a live source with a slow consumer.
 */
export class SimFrameSource implements FrameSource {
  private renderer: SoftwareRenderer | null = null;
  private index = 0;
  private lastFrameS: number | null = null;
  private dropped = 0;
  private open_ = false;

  constructor(private readonly world: SimWorld, private readonly options: RenderOptions & { fps?: number } = {}) {}

  get droppedFrames(): number {
    return this.dropped;
  }

  private get fps(): number {
    return this.options.fps ?? this.world.rig.camera.fps;
  }

  async open(): Promise<FrameSourceInfo> {
    const cam = this.world.rig.camera;
    const width = this.options.widthPx ?? DEFAULT_RENDER_WIDTH_PX;
    const height = this.options.heightPx ?? Math.round((width * cam.imageHeightPx) / cam.imageWidthPx);
    this.renderer = new SoftwareRenderer(width, height);
    this.open_ = true;
    return { kind: 'sim', uri: `sim://${this.world.scene.spec.name}`, width: this.renderer.widthPx, height: this.renderer.heightPx, fps: this.fps, frameCount: null };
  }

  async next(): Promise<RgbFrame | null> {
    if (!this.open_ || !this.renderer) return null;
    const t = this.world.timeS;
    if (this.lastFrameS !== null) this.dropped += Math.max(0, Math.floor((t - this.lastFrameS) * this.fps + 1e-6) - 1);
    this.lastFrameS = t;
    const data = this.renderer.renderWorld(this.world, this.options);
    return { index: this.index++, timestampS: t, width: this.renderer.widthPx, height: this.renderer.heightPx, data };
  }

  async close(): Promise<void> {
    this.open_ = false;
    this.renderer = null;
  }
}
