/** The end-to-end speech test's commands, voices and parse context (shared with the held-out measurement). */
import type { ShotSpec } from '../../core/shot-spec.ts';
import type { ParseContext } from '../../ground-station/language/index.ts';

/** Two voices and speeds: a male US voice at a calm pace, a female US voice faster. */
export const E2E_VOICES = [{ voice: 'en-us+m1', wordsPerMin: 150 }, { voice: 'en-us+f2', wordsPerMin: 175 }] as const;
/**
 * Commands written for the test (not in the recogniser's example phrasings
 * except the one- and two-word vehicle commands, which have no other wording).
 */
export const E2E_COMMANDS = [
  'dolly zoom on alice twenty four to seventy millimetres over eight seconds',
  'track bob from his left medium shot shallow depth of field',
  'orbit alice at six metres counterclockwise',
  'rack focus from alice to bob',
  'two shot of bob and alice',
  'push in on alice over five seconds',
  'pull back from bob to a wide shot',
  'crane up on alice to twelve metres',
  'follow bob at two metres per second',
  'close up on alice',
  'orbit bob at eight metres ten metres high',
  'track alice from the front full shot',
  'land now',
  'stop',
  'return to home',
  'a bit wider',
  'closer',
  'vertigo shot on bob thirty five to seventy millimetres',
];
const CURRENT: ShotSpec = { kind: 'track', subjects: ['alice'], framing: 'medium', distanceM: 8 };
export const E2E_CONTEXT: ParseContext = { subjects: ['alice', 'bob'], current: CURRENT, keepOutRadiusM: 3, altitudeBandM: { min: 1, max: 120 } };

/** The held-out measurement's (held-out.ts) commands: not in the end-to-end test (a few short ones are, as in the test, also example phrasings). */
export const HELD_OUT_COMMANDS = [
  'orbit bob at ten metres clockwise', 'track alice from her right wide shot', 'follow alice from behind', 'crane down on bob',
  'push in on bob', 'land', 'hold', 'go home', 'abort', 'tighter', 'a little wider', 'medium shot on bob',
  'flyover alice at twenty metres high', 'lead bob at six metres low angle', 'reveal alice over ten seconds',
  'track bob eighty five millimetres f two point eight', 'pull out from alice to an extreme wide shot', 'orbit alice at four metres five metres high',
];
export const HELD_OUT_VOICES = [{ voice: 'en-us+f3', wordsPerMin: 160 }, { voice: 'en-us', wordsPerMin: 150 }] as const;
