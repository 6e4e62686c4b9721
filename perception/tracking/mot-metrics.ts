/**
 * CLEAR-MOT counts (Bernardin & Stiefelhagen 2008) for a tracker's output
 * against ground truth: per frame, ground-truth objects and hypotheses are
 * matched by IoU ≥ threshold (Hungarian, keeping last frame's pairs when they
 * still overlap); unmatched truth = misses, unmatched hypotheses = false
 * positives, a truth object matched to a different id than before = an id
 * switch. MOTA = 1 − (misses + false positives + id switches) / truth count.
 */
import { iou, type Box } from '../box.ts';
import { Assignment } from './hungarian.ts';

export interface LabelledBox {
  id: number | string;
  bbox: Box;
}

export interface MotCounts {
  frames: number;
  truth: number;
  matches: number;
  misses: number;
  falsePositives: number;
  idSwitches: number;
  /** id switches per ground-truth object */
  idSwitchesByTruth: Map<number | string, number>;
  /** frames on which each ground-truth object was matched */
  matchesByTruth: Map<number | string, number>;
  mota: number;
}

export class MotAccumulator {
  private readonly lastMatch = new Map<number | string, number | string>();
  private readonly assignment = new Assignment();
  readonly counts: MotCounts = { frames: 0, truth: 0, matches: 0, misses: 0, falsePositives: 0, idSwitches: 0, idSwitchesByTruth: new Map(), matchesByTruth: new Map(), mota: 1 };

  constructor(private readonly minIou = 0.5) {}

  addFrame(truth: LabelledBox[], hypotheses: LabelledBox[]): void {
    const c = this.counts;
    c.frames++;
    c.truth += truth.length;
    const cost = new Float64Array(truth.length * hypotheses.length);
    for (let i = 0; i < truth.length; i++) {
      const previous = this.lastMatch.get(truth[i]!.id);
      for (let j = 0; j < hypotheses.length; j++) {
        const o = iou(truth[i]!.bbox, hypotheses[j]!.bbox);
        // CLEAR-MOT: a correspondence that still holds is kept (a small bonus makes the solver prefer it)
        cost[i * hypotheses.length + j] = o < this.minIou ? 1e6 : 1 - o - (previous === hypotheses[j]!.id ? 0.5 : 0);
      }
    }
    const pairs = this.assignment.solve(cost, truth.length, hypotheses.length, 1e6);
    c.matches += pairs;
    c.misses += truth.length - pairs;
    c.falsePositives += hypotheses.length - pairs;
    for (let i = 0; i < truth.length; i++) {
      const j = this.assignment.rowToCol[i]!;
      if (j < 0) continue;
      const tid = truth[i]!.id, hid = hypotheses[j]!.id;
      const previous = this.lastMatch.get(tid);
      c.matchesByTruth.set(tid, (c.matchesByTruth.get(tid) ?? 0) + 1);
      if (previous !== undefined && previous !== hid) {
        c.idSwitches++;
        c.idSwitchesByTruth.set(tid, (c.idSwitchesByTruth.get(tid) ?? 0) + 1);
      }
      this.lastMatch.set(tid, hid);
    }
    c.mota = c.truth ? 1 - (c.misses + c.falsePositives + c.idSwitches) / c.truth : 1;
  }
}
