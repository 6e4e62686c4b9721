/**
 * Shot executor: owns the active shot's recipe and its clock. A new shot
 * starts from wherever the camera is (recipes anchor on the current camera
 * state, and the shot clock waits in 'starting' until the camera has reached
 * the shot's first viewpoint, so scheduled moves like a dolly zoom begin from
 * rest rather than mid-way). Changing shots blends the camera path and lens
 * references from the old shot into the new one over BLEND_S; a finite shot
 * ends in 'done' holding its last frame; clearing the shot holds position and
 * keeps framing what is in view.
 */
import type { ShotStatus } from '../core/shot-controller.ts';
import type { ShotSpec } from '../core/shot-spec.ts';
import { clamp } from '../core/units.ts';
import { createRecipe } from '../mpc/cinematography/recipes/index.ts';
import { smoothstep } from '../mpc/cinematography/recipes/common.ts';
import {
  createStageReference, type RecipeContext, type ShotRecipe, type StageReference,
} from '../mpc/cinematography/recipes/types.ts';

/** Time over which one shot's references blend into the next, s. */
export const BLEND_S = 1.5;
/** The shot clock starts once the camera is this close to the first viewpoint, m … */
export const START_POSITION_TOLERANCE_M = 0.8;
/** … and the zoom this close to the first focal length, mm … */
export const START_FOCAL_TOLERANCE_MM = 1.5;
/** … or after this long regardless (a start that cannot settle must not stall the shot), s. */
export const MAX_START_S = 6;
/** Minimum time in 'starting' so the plan can align the gimbal and lens first, s. */
export const MIN_START_S = 0.3;

interface ActiveShot {
  spec: ShotSpec;
  recipe: ShotRecipe;
  setAtS: number;
  /** when the shot clock started (null while starting) */
  clockStartS: number | null;
}

/** How far the camera is from where the shot wants it to start. */
export interface StartError {
  positionM: number;
  focalMm: number;
}

export class ShotExecutor {
  private active: ActiveShot | null = null;
  private previous: ActiveShot | null = null;
  private blendStartS = -Infinity;
  private holding = false;
  private lastTimeS = 0;
  private readonly blendScratch = createStageReference();

  /**
   * Start `spec` (built by createRecipe from `ctx`), blending from the current
   * shot. Throws the recipe's CinePilotError and leaves the current shot as is.
   */
  setShot(ctx: RecipeContext, nowS: number): void {
    const recipe = createRecipe(ctx);
    this.previous = this.active;
    this.blendStartS = this.previous ? nowS : -Infinity;
    this.active = { spec: ctx.spec, recipe, setAtS: nowS, clockStartS: null };
    this.holding = false;
    this.lastTimeS = nowS;
  }

  /** Hold: `holdRecipe` is a hold recipe anchored where the camera is now. */
  hold(ctx: RecipeContext, nowS: number): void {
    this.setShot(ctx, nowS);
    this.active!.clockStartS = nowS;
    this.holding = true;
  }

  get hasShot(): boolean {
    return this.active !== null;
  }

  get spec(): ShotSpec | null {
    return this.active && !this.holding ? this.active.spec : null;
  }

  /** Advance the phase machine with this tick's start error (ignored once running). */
  update(nowS: number, startError: StartError): void {
    this.lastTimeS = nowS;
    if (this.previous && nowS - this.blendStartS >= BLEND_S) this.previous = null;
    const a = this.active;
    if (!a || a.clockStartS !== null) return;
    const waited = nowS - a.setAtS;
    const settled = startError.positionM <= START_POSITION_TOLERANCE_M && startError.focalMm <= START_FOCAL_TOLERANCE_MM;
    if ((waited >= MIN_START_S && settled) || waited >= MAX_START_S) a.clockStartS = nowS;
  }

  /** Shot clock at absolute time `timeS` (0 while starting, clamped to the duration). */
  elapsedAt(timeS: number, shot: ActiveShot | null = this.active): number {
    if (!shot || shot.clockStartS === null) return 0;
    const e = Math.max(timeS - shot.clockStartS, 0);
    return shot.recipe.durationS === null ? e : Math.min(e, shot.recipe.durationS);
  }

  /** The reference at absolute time `timeS`, blended from the previous shot while a change settles. */
  reference(timeS: number, out: StageReference): void {
    const a = this.active;
    if (!a) throw new Error('ShotExecutor.reference() without a shot');
    a.recipe.reference(this.elapsedAt(timeS, a), timeS, out);
    const prev = this.previous;
    if (!prev) return;
    const alpha = smoothstep((timeS - this.blendStartS) / BLEND_S);
    if (alpha >= 1) return;
    const old = this.blendScratch;
    prev.recipe.reference(this.elapsedAt(timeS, prev), timeS, old);
    blendReferences(old, out, alpha);
  }

  status(): ShotStatus {
    const a = this.active;
    if (!a) return { shot: null, phase: 'idle', progress: 0, elapsedS: 0 };
    const elapsedS = Math.max(this.lastTimeS - a.setAtS, 0);
    if (this.holding) return { shot: null, phase: 'holding', progress: 1, elapsedS };
    if (a.clockStartS === null) return { shot: a.spec, phase: 'starting', progress: 0, elapsedS };
    const d = a.recipe.durationS;
    if (d === null) return { shot: a.spec, phase: 'running', progress: 1, elapsedS };
    const clock = this.lastTimeS - a.clockStartS;
    if (clock >= d) return { shot: a.spec, phase: 'done', progress: 1, elapsedS };
    return { shot: a.spec, phase: 'running', progress: clamp(clock / d, 0, 1), elapsedS };
  }
}

/**
 * out ← (1 − α)·old + α·out for the camera path, lens references and
 * weights. A slot keeps the new shot's subject; its image targets blend only
 * when both shots frame the same subject there (a different subject is a cut
 * in framing, which the gimbal handles in a fraction of a second).
 */
export function blendReferences(old: StageReference, out: StageReference, alpha: number): void {
  const mix = (a: number, b: number) => a + (b - a) * alpha;
  const p = out.positionNedM, q = old.positionNedM;
  p.x = mix(q.x, p.x);
  p.y = mix(q.y, p.y);
  p.z = mix(q.z, p.z);
  out.wPosNE = mix(old.wPosNE, out.wPosNE);
  out.wPosD = mix(old.wPosD, out.wPosD);
  out.wVel = mix(old.wVel, out.wVel);
  out.focalLengthMm = mix(old.focalLengthMm, out.focalLengthMm);
  out.wFocal = mix(old.wFocal, out.wFocal);
  out.irisStops = mix(old.irisStops, out.irisStops);
  out.wIris = mix(old.wIris, out.wIris);
  for (let i = 0; i < 2; i++) {
    const s = out.slots[i]!, o = old.slots[i]!;
    if (s.subject && s.subject === o.subject) {
      s.uTarget = mix(o.uTarget, s.uTarget);
      s.vTarget = mix(o.vTarget, s.vTarget);
      if (s.sizeTarget > 0 && o.sizeTarget > 0) s.sizeTarget = mix(o.sizeTarget, s.sizeTarget);
    }
  }
}
