/**
 * Subject naming for the ground station ("that one is alice"): wraps the
 * controller's subject source and gives each subject a stable numeric id in
 * the order first seen, and optionally a DP-given name that replaces the
 * source's own (a tracker's "track-7", or a simulator name). The controller
 * sees the names the DP uses, so "track carol" works after naming.
 */
import type { SubjectEstimate, SubjectPredictionSample } from '../../core/perception-types.ts';
import type { SubjectSource } from '../../controller/loop/subject-source.ts';
import { GroundStationError } from '../protocol/errors.ts';

export class NamedSubjects implements SubjectSource {
  private readonly ids = new Map<string, number>();
  /** source name → DP name */
  private readonly aliases = new Map<string, string>();
  /** DP name → source name */
  private readonly reverse = new Map<string, string>();

  /** Present only when the source reports it: an absent hook means "never stale", null means "no measurement yet". */
  readonly lastMeasurementS?: () => number | null;

  constructor(private readonly source: SubjectSource) {
    if (source.lastMeasurementS) this.lastMeasurementS = () => source.lastMeasurementS!();
  }

  update(nowS: number): void {
    this.source.update?.(nowS);
  }

  names(): string[] {
    return this.source.names().map((n) => {
      if (!this.ids.has(n)) this.ids.set(n, this.ids.size);
      return this.aliases.get(n) ?? n;
    });
  }

  /**
   * The current estimate, for sources that publish one (perception, the
   * simulator's noisy predictor): controllers read subject heights from it.
   */
  estimate(name: string): SubjectEstimate | null {
    const src = this.source as SubjectSource & { estimate?: (n: string) => SubjectEstimate | null };
    const sourceName = this.reverse.get(name) ?? (this.aliases.has(name) ? null : name);
    const e = sourceName !== null && typeof src.estimate === 'function' ? src.estimate(sourceName) : null;
    return e ? { ...e, name } : null;
  }

  predict(name: string, timeS: number): SubjectPredictionSample | null {
    const sourceName = this.reverse.get(name) ?? (this.aliases.has(name) ? null : name);
    return sourceName === null ? null : this.source.predict(sourceName, timeS);
  }

  /** Stable id of a subject by its current name. */
  idOf(name: string): number {
    const sourceName = this.reverse.get(name) ?? name;
    if (!this.ids.has(sourceName)) this.ids.set(sourceName, this.ids.size);
    return this.ids.get(sourceName)!;
  }

  /** The source's own name for a shown name (for looking up scene facts such as colour and height). */
  sourceName(name: string): string {
    return this.reverse.get(name) ?? name;
  }

  rename(id: number, name: string): { from: string; to: string } {
    this.names();
    const sourceName = [...this.ids].find(([, i]) => i === id)?.[0];
    if (sourceName === undefined) throw new GroundStationError('UNKNOWN_SUBJECT', `no subject with id ${id}; the state stream lists the subjects and their ids`);
    const taken = this.names().includes(name) && (this.aliases.get(sourceName) ?? sourceName) !== name;
    if (taken) throw new GroundStationError('COMMAND_FAILED', `the name "${name}" is already used by another subject; pick another`);
    const from = this.aliases.get(sourceName) ?? sourceName;
    const old = this.aliases.get(sourceName);
    if (old) this.reverse.delete(old);
    if (name === sourceName) this.aliases.delete(sourceName);
    else {
      this.aliases.set(sourceName, name);
      this.reverse.set(name, sourceName);
    }
    return { from, to: name };
  }
}
