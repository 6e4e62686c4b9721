/**
 * Client-side state: the latest stream message, the hello, the selected
 * vehicle, and short histories for the plots (a fixed window of samples per
 * series, so memory stays bounded however long the page is open).
 */
import type { HelloMessage, PreviewResult, StateMessage, VehicleState } from '../../protocol/state.ts';

export const PLOT_WINDOW_S = 30;
const MAX_SAMPLES = 2000;

export class Series {
  readonly t: number[] = [];
  readonly v: number[] = [];
  push(t: number, v: number): void {
    this.t.push(t);
    this.v.push(v);
    if (this.t.length > MAX_SAMPLES) {
      this.t.shift();
      this.v.shift();
    }
  }
  trim(minT: number): void {
    while (this.t.length > 0 && this.t[0]! < minT) {
      this.t.shift();
      this.v.shift();
    }
  }
  get last(): number | undefined {
    return this.v[this.v.length - 1];
  }
}

export interface VehicleHistory {
  focalMm: Series;
  focusM: Series;
  nearM: Series;
  farM: Series;
  fNumber: Series;
  composition: Series;
  subjectDistanceM: Map<string, Series>;
  /** camera trail, NED */
  trail: Array<[number, number, number]>;
}

const TRAIL_POINTS = 600;

export class Store {
  hello: HelloMessage | null = null;
  state: StateMessage | null = null;
  selectedVehicleId: string | null = null;
  preview: PreviewResult | null = null;
  readonly history = new Map<string, VehicleHistory>();
  /** state messages received, for the rate shown in the connection pill */
  private arrivals: number[] = [];

  get vehicle(): VehicleState | null {
    const vs = this.state?.vehicles ?? [];
    return vs.find((v) => v.id === this.selectedVehicleId) ?? vs[0] ?? null;
  }

  can(command: string): boolean {
    return this.hello?.commands.includes(command) ?? false;
  }

  rateHz(): number {
    const now = performance.now();
    this.arrivals = this.arrivals.filter((t) => now - t < 2000);
    return this.arrivals.length / 2;
  }

  ingest(msg: StateMessage): void {
    this.state = msg;
    this.arrivals.push(performance.now());
    if (!this.selectedVehicleId && msg.vehicles[0]) this.selectedVehicleId = msg.vehicles[0].id;
    for (const v of msg.vehicles) {
      let h = this.history.get(v.id);
      if (!h) {
        h = { focalMm: new Series(), focusM: new Series(), nearM: new Series(), farM: new Series(), fNumber: new Series(), composition: new Series(), subjectDistanceM: new Map(), trail: [] };
        this.history.set(v.id, h);
      }
      const t = msg.timeS;
      h.focalMm.push(t, v.lens.focalLengthMm);
      h.focusM.push(t, v.lens.focusDistanceM);
      h.nearM.push(t, v.lens.nearLimitM);
      h.farM.push(t, v.lens.farLimitM ?? Number.POSITIVE_INFINITY);
      h.fNumber.push(t, v.lens.fNumber);
      h.composition.push(t, v.shot.compositionError ?? Number.NaN);
      for (const [name, d] of Object.entries(v.subjectDistancesM)) {
        let s = h.subjectDistanceM.get(name);
        if (!s) h.subjectDistanceM.set(name, (s = new Series()));
        s.push(t, d);
      }
      const minT = t - PLOT_WINDOW_S;
      for (const s of [h.focalMm, h.focusM, h.nearM, h.farM, h.fNumber, h.composition, ...h.subjectDistanceM.values()]) s.trim(minT);
      const last = h.trail[h.trail.length - 1];
      const p = v.cameraNedM;
      if (!last || Math.hypot(last[0] - p[0], last[1] - p[1], last[2] - p[2]) > 0.05) {
        h.trail.push([p[0], p[1], p[2]]);
        if (h.trail.length > TRAIL_POINTS) h.trail.shift();
      }
    }
  }
}
