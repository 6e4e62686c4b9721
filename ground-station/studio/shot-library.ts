/**
 * The shot library: one entry per flyable shot kind with sensible defaults
 * for the scene's subjects, as words (what the DP would say, editable in the
 * command box) and as the ShotSpec those words mean.
 */
import type { ShotSpec } from '../../core/shot-spec.ts';
import type { ShotLibraryEntry } from '../protocol/state.ts';

export function shotLibrary(subjectNames: string[]): ShotLibraryEntry[] {
  const a = subjectNames[0];
  if (!a) return [{ kind: 'hold', label: 'Hold', text: 'hold', spec: { kind: 'hold', subjects: [] } }];
  const b = subjectNames[1];
  const entries: Array<[label: string, text: string, spec: ShotSpec]> = [
    ['Track', `track ${a}, medium shot`, { kind: 'track', subjects: [a], framing: 'medium' }],
    ['Follow', `follow ${a} from behind, medium wide`, { kind: 'follow', subjects: [a], side: 'behind', framing: 'medium-wide' }],
    ['Lead', `lead ${a}, medium shot`, { kind: 'lead', subjects: [a], framing: 'medium' }],
    ['Profile', `profile ${a} from the left, medium shot`, { kind: 'profile', subjects: [a], side: 'left', framing: 'medium' }],
    ['Orbit', `orbit ${a} clockwise at 8 metres`, { kind: 'orbit', subjects: [a], direction: 'clockwise', distanceM: 8 }],
    ['Dolly zoom', `dolly zoom on ${a}, 24 to 70 millimetres over eight seconds`, { kind: 'dolly-zoom', subjects: [a], focalLengthMm: { fromMm: 24, toMm: 70 }, durationS: 8 }],
    ['Push in', `push in on ${a} over six seconds`, { kind: 'push-in', subjects: [a], durationS: 6 }],
    ['Pull out', `pull out from ${a} over six seconds`, { kind: 'pull-out', subjects: [a], durationS: 6 }],
    ['Reveal', `reveal ${a}`, { kind: 'reveal', subjects: [a] }],
    ['Crane up', `crane up on ${a}`, { kind: 'crane', subjects: [a], direction: 'up' }],
    ['Flyover', `fly over ${a}`, { kind: 'flyover', subjects: [a] }],
    ['Establishing', `establishing shot of ${a}`, { kind: 'establishing', subjects: [a] }],
  ];
  if (b) {
    entries.push(
      ['Two-shot', `two-shot of ${a} and ${b}`, { kind: 'two-shot', subjects: [a, b] }],
      ['Rack focus', `rack focus from ${b} to ${a}`, { kind: 'rack-focus', subjects: [b, a], focusFrom: b, focusOn: a }],
    );
  }
  entries.push(['Hold', 'hold', { kind: 'hold', subjects: [] }]);
  return entries.map(([label, text, spec]) => ({ kind: spec.kind, label, text, spec }));
}
