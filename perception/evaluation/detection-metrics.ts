/**
 * Detection recall and precision against hand labels: detections at or above
 * a score threshold are matched one-to-one to labelled people by IoU
 * (Hungarian, IoU ≥ 0.5, the PASCAL VOC criterion); an unmatched detection
 * lying on an `ignore` region (people too small or too hidden to label)
 * counts neither as a hit nor as a false positive.
 */
import { iou, type Box } from '../box.ts';
import { Assignment } from '../tracking/hungarian.ts';

export interface LabelledFrame {
  frame: number;
  people: Box[];
  ignore: Box[];
}

export interface DetectionCounts {
  labelled: number;
  detections: number;
  truePositives: number;
  falsePositives: number;
  misses: number;
  recall: number;
  precision: number;
}

export const DEFAULT_MATCH_IOU = 0.5;
/** Share of an unmatched detection's area inside an ignore box for it to be ignored. */
const IGNORE_COVERAGE = 0.5;

function coverage(inner: Box, outer: Box): number {
  const x0 = Math.max(inner[0]!, outer[0]!), y0 = Math.max(inner[1]!, outer[1]!);
  const x1 = Math.min(inner[0]! + inner[2]!, outer[0]! + outer[2]!), y1 = Math.min(inner[1]! + inner[3]!, outer[1]! + outer[3]!);
  const area = inner[2]! * inner[3]!;
  return area > 0 ? (Math.max(0, x1 - x0) * Math.max(0, y1 - y0)) / area : 0;
}

export class DetectionScorer {
  readonly counts: DetectionCounts = { labelled: 0, detections: 0, truePositives: 0, falsePositives: 0, misses: 0, recall: 1, precision: 1 };
  private readonly assignment = new Assignment();

  constructor(private readonly minIou = DEFAULT_MATCH_IOU) {}

  /** Score one frame; `detections` are already filtered by the score threshold. Returns the unmatched labels. */
  addFrame(labels: LabelledFrame, detections: Box[]): Box[] {
    const c = this.counts;
    const people = labels.people;
    const cost = new Float64Array(people.length * detections.length);
    for (let i = 0; i < people.length; i++) {
      for (let j = 0; j < detections.length; j++) {
        const o = iou(people[i]!, detections[j]!);
        cost[i * detections.length + j] = o >= this.minIou ? 1 - o : 1e6;
      }
    }
    const pairs = this.assignment.solve(cost, people.length, detections.length, 1e6);
    const used = new Uint8Array(detections.length);
    const missed: Box[] = [];
    for (let i = 0; i < people.length; i++) {
      const j = this.assignment.rowToCol[i]!;
      if (j >= 0) used[j] = 1;
      else missed.push(people[i]!);
    }
    let fp = 0, counted = 0;
    for (let j = 0; j < detections.length; j++) {
      if (used[j]) {
        counted++;
        continue;
      }
      if (labels.ignore.some((g) => coverage(detections[j]!, g) >= IGNORE_COVERAGE || iou(detections[j]!, g) >= this.minIou)) continue;
      fp++;
      counted++;
    }
    c.labelled += people.length;
    c.detections += counted;
    c.truePositives += pairs;
    c.falsePositives += fp;
    c.misses += people.length - pairs;
    c.recall = c.labelled ? c.truePositives / c.labelled : 1;
    c.precision = c.detections ? c.truePositives / c.detections : 1;
    return missed;
  }
}
