/**
 * How a person in the picture becomes "alice" for the DP's shots. The
 * tracker owns names once given (`MultiObjectTracker.nameTrack`: the name
 * follows the track id through occlusions and is handed back to a
 * re-identified person by appearance); these rules only decide *which*
 * track gets a name, from what the DP can know before take-off:
 *
 *   ID=NAME     the track with that id (as `cinepilot track` shows it), when it appears
 *   NAME@N,E    the localised person nearest to the ground point N,E (m, NED from home),
 *               within `radiusM` — "alice starts on the mark at 0,0"
 *   NAME        the most prominent person (tallest box) once someone is localised —
 *               for single-subject shots. If the name is gone (track lost and not
 *               re-identified) for `reacquireAfterS`, it goes to the most prominent
 *               unnamed person again.
 *
 * Handover (every rule): when a named track only coasts (no detection this
 * frame) and exactly one unnamed person detected this frame stands within
 * `handoverRadiusM` (+ 2.5 m/s × the named one's time since its last
 * detection) of the named subject's last estimate, the name moves to that
 * person. It covers the tracker starting a new track on someone whose old
 * box fell out of the association gate (slow detection, a fast pan): the
 * tracker's own re-identification hands a name over only once the old track
 * is forgotten (5 s), far beyond the controller's 2 s perception timeout.
 * Two unnamed candidates in the radius: no handover (ambiguous).
 *
 * Names follow the bus schema (lower case, a letter then letters, digits, - or _).
 */
import { CinePilotError } from '../../core/errors.ts';
import type { ImageTrack, SubjectEstimate } from '../../core/perception-types.ts';

export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** How far from its mark a NAME@N,E subject may be localised, m. */
export const DEFAULT_NAME_RADIUS_M = 3;
/** A bare NAME whose track has been gone this long goes to the most prominent unnamed person, s. */
export const DEFAULT_REACQUIRE_AFTER_S = 3;
/** Handover: an unnamed, just-detected person this close to a named one that is only coasting takes the name, m. */
export const DEFAULT_HANDOVER_RADIUS_M = 1.5;
/** … plus this much per second the named one has gone without a detection (how far a person may walk), m/s. */
export const HANDOVER_SPEED_MPS = 2.5;
/** … and never further than this, m. */
export const MAX_HANDOVER_RADIUS_M = 4;

export type NameRule =
  | { kind: 'id'; name: string; trackId: number }
  | { kind: 'mark'; name: string; northM: number; eastM: number }
  | { kind: 'prominent'; name: string };

/** Parse one `--name` value. */
export function parseNameRule(text: string): NameRule {
  const t = text.trim();
  const bad = (why: string) => new CinePilotError('BAD_FLAG', `--name ${text}: ${why} Forms: ID=NAME (--name 3=alice), NAME@N,E (--name alice@0,0, metres north/east of home), NAME (the most prominent person).`);
  const checkName = (n: string) => {
    const clean = n.trim().toLowerCase();
    if (!NAME_PATTERN.test(clean)) throw bad(`"${n}" is not a subject name (a letter, then letters, digits, - or _; ≤ 32 characters).`);
    return clean;
  };
  let m = /^(\d+)=(.+)$/.exec(t);
  if (m) return { kind: 'id', trackId: Number(m[1]), name: checkName(m[2]!) };
  m = /^([^@]+)@\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)$/.exec(t);
  if (m) return { kind: 'mark', name: checkName(m[1]!), northM: Number(m[2]), eastM: Number(m[3]) };
  if (t.includes('@') || t.includes('=')) throw bad('cannot read it.');
  return { kind: 'prominent', name: checkName(t) };
}

export function parseNameRules(values: readonly string[]): NameRule[] {
  const rules = values.map(parseNameRule);
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.name)) throw new CinePilotError('BAD_FLAG', `--name: "${r.name}" is given twice; each name names one person.`);
    seen.add(r.name);
  }
  if (rules.filter((r) => r.kind === 'prominent').length > 1) {
    throw new CinePilotError('BAD_FLAG', '--name: only one bare NAME (the most prominent person); name the others by ID=NAME or NAME@N,E.');
  }
  return rules;
}

export interface NamingTarget {
  name(trackId: number, name: string): void;
}

export interface NameEvent {
  name: string;
  trackId: number;
  rule: NameRule['kind'] | 'handover';
}

export class SubjectNamer {
  private readonly pending: NameRule[];
  private readonly missingSinceS = new Map<string, number>();

  constructor(private readonly rules: readonly NameRule[], private readonly options: { radiusM?: number; reacquireAfterS?: number; handoverRadiusM?: number } = {}) {
    this.pending = [...rules];
  }

  /** Names not yet given to anyone. */
  waiting(): string[] {
    return this.pending.map((r) => r.name);
  }

  /**
   * After a perception step: give pending names to the tracks their rules
   * pick. `tracks` are the tracker's confirmed tracks this frame, `subjects`
   * the localised estimates. Returns the names given now.
   */
  apply(nowS: number, tracks: readonly ImageTrack[], subjects: readonly SubjectEstimate[], target: NamingTarget): NameEvent[] {
    const given: NameEvent[] = [];
    const named = new Set(tracks.filter((t) => t.name).map((t) => t.name!));
    // a bare name whose person is gone for good goes back on the list
    for (const r of this.rules) {
      if (r.kind !== 'prominent' || this.pending.includes(r)) continue;
      if (named.has(r.name)) this.missingSinceS.delete(r.name);
      else {
        const since = this.missingSinceS.get(r.name) ?? nowS;
        this.missingSinceS.set(r.name, since);
        if (nowS - since >= (this.options.reacquireAfterS ?? DEFAULT_REACQUIRE_AFTER_S)) {
          this.missingSinceS.delete(r.name);
          this.pending.push(r);
        }
      }
    }
    const localised = new Map(subjects.map((s) => [s.id, s]));
    this.handOver(nowS, tracks, localised, target, given);
    const taken = new Set(tracks.filter((t) => t.name).map((t) => t.id));
    for (let i = 0; i < this.pending.length; i++) {
      const r = this.pending[i]!;
      let pick: number | null = null;
      if (r.kind === 'id') {
        if (tracks.some((t) => t.id === r.trackId)) pick = r.trackId;
      } else if (r.kind === 'mark') {
        let best = this.options.radiusM ?? DEFAULT_NAME_RADIUS_M;
        for (const s of subjects) {
          if (taken.has(s.id) || !tracks.some((t) => t.id === s.id)) continue;
          const d = Math.hypot(s.positionNedM.x - r.northM, s.positionNedM.y - r.eastM);
          if (d <= best) {
            best = d;
            pick = s.id;
          }
        }
      } else {
        let tallest = 0;
        for (const t of tracks) {
          if (taken.has(t.id) || t.framesSinceUpdate !== 0 || !localised.has(t.id)) continue;
          if (t.bbox[3] > tallest) {
            tallest = t.bbox[3];
            pick = t.id;
          }
        }
      }
      if (pick === null) continue;
      target.name(pick, r.name);
      taken.add(pick);
      given.push({ name: r.name, trackId: pick, rule: r.kind });
      this.pending.splice(i--, 1);
    }
    return given;
  }

  private handOver(nowS: number, tracks: readonly ImageTrack[], localised: ReadonlyMap<number, SubjectEstimate>, target: NamingTarget, given: NameEvent[]): void {
    const base = this.options.handoverRadiusM ?? DEFAULT_HANDOVER_RADIUS_M;
    for (const named of tracks) {
      if (!named.name || named.framesSinceUpdate === 0) continue;
      const last = localised.get(named.id);
      if (!last) continue;
      const radiusM = Math.min(MAX_HANDOVER_RADIUS_M, base + HANDOVER_SPEED_MPS * Math.max(0, nowS - last.timestampS));
      let pick: number | null = null, candidates = 0;
      for (const t of tracks) {
        if (t.name || t.framesSinceUpdate !== 0) continue;
        const e = localised.get(t.id);
        if (!e || Math.hypot(e.positionNedM.x - last.positionNedM.x, e.positionNedM.y - last.positionNedM.y) > radiusM) continue;
        candidates++;
        pick = t.id;
      }
      if (candidates !== 1 || pick === null) continue;
      target.name(pick, named.name);
      given.push({ name: named.name, trackId: pick, rule: 'handover' });
      (named as { name?: string }).name = undefined; // this frame's list: the name has moved
    }
  }
}
