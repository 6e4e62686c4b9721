/**
 * The shot vocabulary: every phrase the deterministic parser understands and
 * what it means. One table serves the parser (ground-station/language) and the
 * speech grammar (ground-station/speech), so a phrase that can be said can be
 * parsed and vice versa. Phrases are lower-case words separated by single
 * spaces, written the way `normaliseText` leaves them (no hyphens, no
 * apostrophes, numbers as digits).
 */
import type { CameraAngle, Direction, Framing, ShotKind, Side } from '../../core/shot-spec.ts';

export interface KindPhrase {
  kind: ShotKind;
  /** direction said with the verb: "crane up", "dolly zoom out" */
  direction?: Direction;
}

/** Shot kinds and their synonyms from cinematographers' and drone pilots' vocabulary. */
export const KIND_PHRASES: Record<string, KindPhrase> = {
  // dolly zoom: dolly one way while zooming the other, subject size held
  'dolly zoom': { kind: 'dolly-zoom' },
  'dolly zoom in': { kind: 'dolly-zoom', direction: 'in' },
  'dolly zoom out': { kind: 'dolly-zoom', direction: 'out' },
  'vertigo shot': { kind: 'dolly-zoom' },
  'vertigo effect': { kind: 'dolly-zoom' },
  'vertigo': { kind: 'dolly-zoom' },
  'zolly': { kind: 'dolly-zoom' },
  'contra zoom': { kind: 'dolly-zoom' },
  'trombone shot': { kind: 'dolly-zoom' },
  'hitchcock zoom': { kind: 'dolly-zoom' },
  // tracking family
  'track': { kind: 'track' },
  'tracking shot': { kind: 'track' },
  'tracking': { kind: 'track' },
  'truck with': { kind: 'track' },
  'follow': { kind: 'follow' },
  'follow shot': { kind: 'follow' },
  'following shot': { kind: 'follow' },
  'chase': { kind: 'follow' },
  'chase shot': { kind: 'follow' },
  'tail': { kind: 'follow' },
  'lead': { kind: 'lead' },
  'leading shot': { kind: 'lead' },
  'lead shot': { kind: 'lead' },
  'profile': { kind: 'profile' },
  'profile shot': { kind: 'profile' },
  'side tracking': { kind: 'profile' },
  'side on tracking': { kind: 'profile' },
  // orbit
  'orbit': { kind: 'orbit' },
  'orbit around': { kind: 'orbit' },
  'orbit shot': { kind: 'orbit' },
  'circle': { kind: 'orbit' },
  'circle around': { kind: 'orbit' },
  'arc': { kind: 'orbit' },
  'arc around': { kind: 'orbit' },
  'arc shot': { kind: 'orbit' },
  'fly around': { kind: 'orbit' },
  'go around': { kind: 'orbit' },
  'point of interest': { kind: 'orbit' },
  // push in / pull out
  'push in': { kind: 'push-in' },
  'push in on': { kind: 'push-in' },
  'push on': { kind: 'push-in' },
  'dolly in': { kind: 'push-in' },
  'move in': { kind: 'push-in' },
  'creep in': { kind: 'push-in' },
  'track in': { kind: 'push-in' },
  'pull out': { kind: 'pull-out' },
  'pull back': { kind: 'pull-out' },
  'pull away': { kind: 'pull-out' },
  'dolly out': { kind: 'pull-out' },
  'dolly back': { kind: 'pull-out' },
  'back out': { kind: 'pull-out' },
  'pull back from': { kind: 'pull-out' },
  'track out': { kind: 'pull-out' },
  // vertical moves
  'crane': { kind: 'crane' },
  'crane shot': { kind: 'crane' },
  'crane up': { kind: 'crane', direction: 'up' },
  'crane down': { kind: 'crane', direction: 'down' },
  'boom up': { kind: 'crane', direction: 'up' },
  'boom down': { kind: 'crane', direction: 'down' },
  'jib up': { kind: 'crane', direction: 'up' },
  'jib down': { kind: 'crane', direction: 'down' },
  'pedestal up': { kind: 'crane', direction: 'up' },
  'pedestal down': { kind: 'crane', direction: 'down' },
  'ped up': { kind: 'crane', direction: 'up' },
  'ped down': { kind: 'crane', direction: 'down' },
  'rise up': { kind: 'crane', direction: 'up' },
  'jib': { kind: 'crane' },
  'boom': { kind: 'crane' },
  'pedestal': { kind: 'crane' },
  // the rest
  'reveal': { kind: 'reveal' },
  'reveal shot': { kind: 'reveal' },
  'flyover': { kind: 'flyover' },
  'fly over': { kind: 'flyover' },
  'overfly': { kind: 'flyover' },
  'flyover shot': { kind: 'flyover' },
  '2 shot': { kind: 'two-shot' },
  'twoshot': { kind: 'two-shot' },
  'establishing': { kind: 'establishing' },
  'establishing shot': { kind: 'establishing' },
  'establisher': { kind: 'establishing' },
  'wide master': { kind: 'establishing' },
  'master shot': { kind: 'establishing' },
  'master': { kind: 'establishing' },
  'rack focus': { kind: 'rack-focus' },
  'rack': { kind: 'rack-focus' },
  'pull focus': { kind: 'rack-focus' },
  'focus pull': { kind: 'rack-focus' },
  'shift focus': { kind: 'rack-focus' },
  'rack the focus': { kind: 'rack-focus' },
  'pull the focus': { kind: 'rack-focus' },
  'hold': { kind: 'hold' },
  'hold it': { kind: 'hold' },
  'hold there': { kind: 'hold' },
  'hold position': { kind: 'hold' },
  'hold that': { kind: 'hold' },
  'stay there': { kind: 'hold' },
  'stay put': { kind: 'hold' },
  'stay': { kind: 'hold' },
  'freeze': { kind: 'hold' },
  'hover': { kind: 'hold' },
  'wait': { kind: 'hold' },
  'stop': { kind: 'stop' },
  'abort': { kind: 'stop' },
  'kill': { kind: 'stop' },
  'kill it': { kind: 'stop' },
  'cut': { kind: 'stop' },
  'halt': { kind: 'stop' },
  'emergency stop': { kind: 'stop' },
  'e stop': { kind: 'stop' },
  'estop': { kind: 'stop' },
  'land': { kind: 'land' },
  'land now': { kind: 'land' },
  'touch down': { kind: 'land' },
  'set down': { kind: 'land' },
  'return home': { kind: 'return-home' },
  'return to home': { kind: 'return-home' },
  'return to launch': { kind: 'return-home' },
  'rth': { kind: 'return-home' },
  'rtl': { kind: 'return-home' },
  'come back': { kind: 'return-home' },
  'come home': { kind: 'return-home' },
  'go home': { kind: 'return-home' },
  'bring it home': { kind: 'return-home' },
  'bring it back': { kind: 'return-home' },
};

/**
 * Kinds that make sense without a subject (vehicle actions, scene-wide shots).
 * The rest need at least one subject from the scene.
 */
export const SUBJECTLESS_KINDS: ReadonlySet<ShotKind> = new Set<ShotKind>([
  'hold', 'stop', 'land', 'return-home', 'establishing', 'flyover', 'reveal', 'crane',
]);

/** Kinds that override anything else said with them: safety first. */
export const OVERRIDING_KINDS: ReadonlySet<ShotKind> = new Set<ShotKind>(['stop']);

/** Framings with the abbreviations on shot lists and call sheets. */
export const FRAMING_PHRASES: Record<string, Framing> = {
  'extreme close up': 'extreme-close-up',
  'extreme closeup': 'extreme-close-up',
  'big close up': 'extreme-close-up',
  'ecu': 'extreme-close-up',
  'xcu': 'extreme-close-up',
  'bcu': 'extreme-close-up',
  'close up': 'close-up',
  'closeup': 'close-up',
  'close shot': 'close-up',
  'cu': 'close-up',
  'tight shot': 'close-up',
  'medium close up': 'medium-close-up',
  'medium closeup': 'medium-close-up',
  'medium close': 'medium-close-up',
  'mcu': 'medium-close-up',
  'medium shot': 'medium',
  'medium': 'medium',
  'mid shot': 'medium',
  'waist shot': 'medium',
  'ms': 'medium',
  'med': 'medium',
  'medium wide': 'medium-wide',
  'medium wide shot': 'medium-wide',
  'medium long shot': 'medium-wide',
  'mws': 'medium-wide',
  'mls': 'medium-wide',
  'cowboy': 'medium-wide',
  'cowboy shot': 'medium-wide',
  'american shot': 'medium-wide',
  'full shot': 'full',
  'full body': 'full',
  'full body shot': 'full',
  'full length': 'full',
  'head to toe': 'full',
  'long shot': 'full',
  'fs': 'full',
  'ls': 'full',
  'wide shot': 'wide',
  'wide': 'wide',
  'ws': 'wide',
  'extreme wide': 'extreme-wide',
  'extreme wide shot': 'extreme-wide',
  'extreme long shot': 'extreme-wide',
  'very wide': 'extreme-wide',
  'ews': 'extreme-wide',
  'xws': 'extreme-wide',
  'els': 'extreme-wide',
  'xls': 'extreme-wide',
};

/** Framings from widest to tightest, for "wider"/"tighter" steps. */
export const FRAMING_ORDER: readonly Framing[] = [
  'extreme-wide', 'wide', 'full', 'medium-wide', 'medium', 'medium-close-up', 'close-up', 'extreme-close-up',
];

/** Camera position relative to the subject's heading; "his left" = on the subject's left. */
export const SIDE_PHRASES: Record<string, Side> = {};
{
  const bases: Record<string, Side> = {
    'front': 'front', 'the front': 'front',
    'behind': 'behind', 'the back': 'behind', 'back': 'behind', 'the rear': 'behind', 'rear': 'behind',
    'left': 'left', 'right': 'right', 'the left': 'left', 'the right': 'right',
    'left side': 'left', 'right side': 'right', 'the left side': 'left', 'the right side': 'right',
    'front left': 'front-left', 'front right': 'front-right', 'left front': 'front-left', 'right front': 'front-right',
    'behind left': 'behind-left', 'behind right': 'behind-right', 'back left': 'behind-left', 'back right': 'behind-right',
    'rear left': 'behind-left', 'rear right': 'behind-right', 'left rear': 'behind-left', 'right rear': 'behind-right',
    'three quarter front left': 'front-left', 'three quarter front right': 'front-right',
    'three quarter left': 'front-left', 'three quarter right': 'front-right',
  };
  for (const [phrase, side] of Object.entries(bases)) {
    if (!phrase.startsWith('the ') && !bases[`the ${phrase}`] && phrase !== 'behind') SIDE_PHRASES[`from the ${phrase}`] = side;
    SIDE_PHRASES[phrase] = side;
    SIDE_PHRASES[`from ${phrase}`] = side;
    SIDE_PHRASES[`on ${phrase}`] = side;
    SIDE_PHRASES[`to ${phrase}`] = side;
    if (!phrase.startsWith('the ') && phrase !== 'behind') {
      for (const who of ['his', 'her', 'their', 'its']) {
        SIDE_PHRASES[`${who} ${phrase}`] = side;
        SIDE_PHRASES[`from ${who} ${phrase}`] = side;
        SIDE_PHRASES[`on ${who} ${phrase}`] = side;
        SIDE_PHRASES[`to ${who} ${phrase}`] = side;
      }
    }
  }
  for (const [phrase, side] of Object.entries({ 'in front': 'front', 'from in front': 'front', 'in front of': 'front', 'from behind': 'behind', 'side on': 'left' } as const)) {
    if (phrase !== 'side on') SIDE_PHRASES[phrase] = side;
  }
  // Over-the-shoulder: the camera sits behind the subject, past that shoulder.
  for (const who of ['his', 'her', 'their']) {
    SIDE_PHRASES[`over ${who} left shoulder`] = 'behind-left';
    SIDE_PHRASES[`over ${who} right shoulder`] = 'behind-right';
    SIDE_PHRASES[`over ${who} shoulder`] = 'behind-right';
  }
  SIDE_PHRASES['over the shoulder'] = 'behind-right';
  SIDE_PHRASES['over the left shoulder'] = 'behind-left';
  SIDE_PHRASES['over the right shoulder'] = 'behind-right';
}

/** Mirror image of each side, for "other side". */
export const OTHER_SIDE: Record<Side, Side> = {
  front: 'behind', behind: 'front', left: 'right', right: 'left',
  'front-left': 'front-right', 'front-right': 'front-left', 'behind-left': 'behind-right', 'behind-right': 'behind-left',
};

export const ANGLE_PHRASES: Record<string, CameraAngle> = {
  'eye level': 'eye-level',
  'at eye level': 'eye-level',
  'eye line': 'eye-level',
  'eyeline': 'eye-level',
  'neutral angle': 'eye-level',
  'straight on': 'eye-level',
  'high angle': 'high',
  'high': 'high',
  'from above': 'high',
  'looking down': 'high',
  'low angle': 'low',
  'low': 'low',
  'from below': 'low',
  'looking up': 'low',
  'worms eye': 'low',
  'worms eye view': 'low',
  'birds eye': 'overhead',
  'birds eye view': 'overhead',
  'bird eye': 'overhead',
  'overhead': 'overhead',
  'overhead shot': 'overhead',
  'top down': 'overhead',
  'top shot': 'overhead',
  'straight down': 'overhead',
  'gods eye': 'overhead',
};

/** Angles from low to overhead, for "higher"/"lower" when no height is set. */
export const ANGLE_ORDER: readonly CameraAngle[] = ['low', 'eye-level', 'high', 'overhead'];

export const DIRECTION_PHRASES: Record<string, Direction> = {
  'clockwise': 'clockwise',
  'cw': 'clockwise',
  'counter clockwise': 'counterclockwise',
  'counterclockwise': 'counterclockwise',
  'anti clockwise': 'counterclockwise',
  'anticlockwise': 'counterclockwise',
  'ccw': 'counterclockwise',
};

export const DEPTH_OF_FIELD_PHRASES: Record<string, 'shallow' | 'deep'> = {
  'shallow depth of field': 'shallow',
  'shallow dof': 'shallow',
  'shallow focus': 'shallow',
  'shallow': 'shallow',
  'soft background': 'shallow',
  'blurry background': 'shallow',
  'blurred background': 'shallow',
  'bokeh': 'shallow',
  'wide open': 'shallow',
  'deep depth of field': 'deep',
  'deep dof': 'deep',
  'deep focus': 'deep',
  'deep': 'deep',
  'everything in focus': 'deep',
  'everything sharp': 'deep',
  'stopped down': 'deep',
};

/** Relative adjustments to the current shot (adjust.ts applies them). */
export type AdjustmentKind =
  | 'closer' | 'further' | 'wider' | 'tighter' | 'slower' | 'faster' | 'more-headroom' | 'less-headroom'
  | 'other-side' | 'other-way' | 'lower' | 'higher' | 'shallower' | 'deeper' | 'again' | 'longer' | 'shorter';

export const ADJUSTMENT_PHRASES: Record<string, AdjustmentKind> = {
  'closer': 'closer', 'get closer': 'closer', 'come closer': 'closer', 'move closer': 'closer', 'go closer': 'closer', 'nearer': 'closer',
  'further': 'further', 'farther': 'further', 'further away': 'further', 'farther away': 'further', 'further back': 'further',
  'back off': 'further', 'move back': 'further', 'give her more room': 'further', 'give him more room': 'further',
  'wider': 'wider', 'go wider': 'wider', 'loosen up': 'wider', 'looser': 'wider', 'zoom out': 'wider',
  'tighter': 'tighter', 'go tighter': 'tighter', 'tighten up': 'tighter', 'zoom in': 'tighter',
  'slower': 'slower', 'slow down': 'slower', 'slow it down': 'slower', 'ease off': 'slower',
  'faster': 'faster', 'speed up': 'faster', 'quicker': 'faster', 'speed it up': 'faster', 'pick up the pace': 'faster',
  'more headroom': 'more-headroom', 'more head room': 'more-headroom', 'give her more headroom': 'more-headroom', 'give him more headroom': 'more-headroom',
  'less headroom': 'less-headroom', 'less head room': 'less-headroom', 'trim the headroom': 'less-headroom',
  'other side': 'other-side', 'the other side': 'other-side', 'opposite side': 'other-side', 'from the other side': 'other-side',
  'other way': 'other-way', 'the other way': 'other-way', 'reverse direction': 'other-way', 'reverse': 'other-way', 'other direction': 'other-way',
  'lower': 'lower', 'go lower': 'lower', 'drop down': 'lower', 'come down': 'lower', 'bring it down': 'lower',
  'higher': 'higher', 'go higher': 'higher', 'go up': 'higher', 'climb': 'higher', 'bring it up': 'higher',
  'shallower': 'shallower', 'shallower depth of field': 'shallower', 'shallower focus': 'shallower', 'open up': 'shallower', 'softer background': 'shallower',
  'deeper': 'deeper', 'deeper depth of field': 'deeper', 'deeper focus': 'deeper', 'stop down': 'deeper',
  'again': 'again', 'same again': 'again', 'one more time': 'again', 'do it again': 'again', 'once more': 'again', 'repeat': 'again', 'again please': 'again', 'go again': 'again', 'from the top': 'again',
  'longer': 'longer', 'take longer': 'longer', 'shorter': 'shorter', 'make it shorter': 'shorter',
};

/** Size of an adjustment: "a bit wider" is a smaller step than "wider", "much wider" a bigger one. */
export const ADJUSTMENT_SCALE_PHRASES: Record<string, number> = {
  'a bit': 0.5, 'a little': 0.5, 'a little bit': 0.5, 'a touch': 0.5, 'slightly': 0.5, 'a tad': 0.5, 'bit': 0.5, 'little': 0.5, 'tad': 0.5, 'touch': 0.5,
  'much': 2, 'a lot': 2, 'way': 2, 'lots': 2, 'a lot more': 2, 'even': 1, 'more': 1,
};

/** Adverbs of speed without a number. */
export const SPEED_WORDS: Record<string, number> = {
  'slow': 1, 'slowly': 1, 'gently': 1, 'gentle': 1, 'very slowly': 0.5, 'really slowly': 0.5, 'nice and slow': 1,
  'fast': 4, 'quickly': 4, 'quick': 4, 'rapid': 4, 'very fast': 6,
};

/** Phrases that ask for a subject to be in focus. */
export const FOCUS_ON_PHRASES = ['focus on', 'focused on', 'focus to', 'keep focus on', 'with focus on', 'focus', 'sharp on', 'hold focus on'] as const;

/**
 * Requests no rig may fly, whatever the distances: flying at, into or through
 * people. Matched as "<verb/preposition> [the] <people word | subject | pronoun>".
 */
export const UNSAFE_LEAD_PHRASES = [
  'into', 'through', 'right into', 'straight into', 'crash into', 'fly into', 'fly through', 'dive into', 'dive at',
  'ram', 'buzz', 'skim', 'brush', 'touch', 'hit', 'between', 'in among', 'amongst', 'among',
] as const;
export const PEOPLE_WORDS = [
  'crowd', 'the crowd', 'people', 'the people', 'audience', 'the audience', 'spectators', 'the spectators',
  'extras', 'the extras', 'crew', 'the crew', 'cast', 'the cast', 'heads', 'their heads', 'his head', 'her head',
  'face', 'his face', 'her face', 'their faces', 'them', 'him', 'her', 'everyone', 'the actors', 'actors', 'the talent', 'talent',
] as const;

/**
 * Words DPs say that carry no shot information. Leading fillers are only
 * ignored at the start of a command ("right, …" is a filler there but a side
 * elsewhere).
 */
export const LEADING_FILLERS = [
  'okay', 'ok', 'alright', 'all right', 'right', 'so', 'now', 'and now', 'then', 'next', 'cool', 'great', 'good', 'nice', 'yeah', 'yes',
] as const;
export const FILLERS = [
  'please', 'uh', 'um', 'er', 'erm', 'ah', 'hmm', 'like', 'just', 'maybe', 'kind of', 'sort of',
  'lets', 'let us', 'lets do', 'lets go', 'lets get', 'lets try', 'lets have', 'do', 'go', 'get', 'go for', 'go with', 'try',
  'can you', 'could you', 'can we', 'could we', 'would you', 'will you', 'i want', 'i would like', 'id like', 'i need', 'we need', 'we want',
  'give me', 'get me', 'give us', 'show me', 'i want to see', 'lets see', 'take', 'make', 'start', 'begin', 'set up', 'do a', 'now',
  'a', 'an', 'the', 'this', 'that', 'it', 'me', 'us', 'we', 'you', 'i', 'thanks', 'thank you', 'cheers', 'folks', 'guys',
  'shot', 'shots', 'camera', 'drone', 'frame', 'framing', 'move', 'nice', 'smooth', 'smoothly', 'one', 'some', 'up', 'then',
  'with', 'on', 'of', 'at', 'for', 'over', 'in', 'from', 'to', 'and', 'around', 'by', 'using', 'as', 'into frame', 'keep', 'stay on', 'keep it',
  'onto', 'everyone', 'everybody', 'folks', 'team', 'walking', 'running', 'as she walks', 'as he walks', 'as they walk', 'while she walks', 'while he walks',
  'the scene', 'scene', 'the set', 'the area', 'the location', 'the whole scene', 'same', 'same but', 'but', 'instead', 'this time',
  'lens', 'a lens', 'there', 'here', 'view', 'angle', 'position', 'distance', 'okay', 'ok', 'so', 'please do', 'real', 'really', 'very',
] as const;

/** Number words (cardinal). */
export const NUMBER_UNITS: Record<string, number> = {
  zero: 0, oh: 0, nought: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19,
};
export const NUMBER_TENS: Record<string, number> = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
/** Homophones a recogniser writes for digits ("ate seconds", "twenty for"). */
export const NUMBER_HOMOPHONES: Record<string, number> = { ate: 8, won: 1, fourty: 40 };
/** Real words a recogniser writes for shot words that sound the same. */
export const WORD_HOMOPHONES: Record<string, string> = { too: 'to', inn: 'in', wreck: 'rack', solely: 'zolly', dollie: 'dolly', dolley: 'dolly', site: 'side', sighed: 'side', write: 'right', rite: 'right', wright: 'right', crain: 'crane', hi: 'high', lo: 'low' };

/**
 * Units as said, mapped to a mathjs unit and the quantity they measure.
 * mathjs does the conversion to SI, so "20 feet" and "6.1 m" agree.
 */
export type QuantityDimension = 'length' | 'focal' | 'time' | 'speed' | 'angle';
export const UNIT_PHRASES: Record<string, { unit: string; dimension: QuantityDimension }> = {
  'm': { unit: 'm', dimension: 'length' }, 'meter': { unit: 'm', dimension: 'length' }, 'meters': { unit: 'm', dimension: 'length' },
  'metre': { unit: 'm', dimension: 'length' }, 'metres': { unit: 'm', dimension: 'length' }, 'mtrs': { unit: 'm', dimension: 'length' },
  'meter high': { unit: 'm', dimension: 'length' },
  'ft': { unit: 'ft', dimension: 'length' }, 'foot': { unit: 'ft', dimension: 'length' }, 'feet': { unit: 'ft', dimension: 'length' }, 'feat': { unit: 'ft', dimension: 'length' },
  'yard': { unit: 'yd', dimension: 'length' }, 'yards': { unit: 'yd', dimension: 'length' },
  'cm': { unit: 'cm', dimension: 'length' }, 'centimetres': { unit: 'cm', dimension: 'length' }, 'centimeters': { unit: 'cm', dimension: 'length' },
  'inch': { unit: 'inch', dimension: 'length' }, 'inches': { unit: 'inch', dimension: 'length' },
  'km': { unit: 'km', dimension: 'length' }, 'kilometres': { unit: 'km', dimension: 'length' }, 'kilometers': { unit: 'km', dimension: 'length' },
  'mm': { unit: 'mm', dimension: 'focal' }, 'millimetre': { unit: 'mm', dimension: 'focal' }, 'millimetres': { unit: 'mm', dimension: 'focal' },
  'millimeter': { unit: 'mm', dimension: 'focal' }, 'millimeters': { unit: 'mm', dimension: 'focal' }, 'mil': { unit: 'mm', dimension: 'focal' },
  'mill': { unit: 'mm', dimension: 'focal' }, 'mils': { unit: 'mm', dimension: 'focal' }, 'mike mike': { unit: 'mm', dimension: 'focal' },
  'milli meters': { unit: 'mm', dimension: 'focal' }, 'milli metres': { unit: 'mm', dimension: 'focal' },
  's': { unit: 's', dimension: 'time' }, 'sec': { unit: 's', dimension: 'time' }, 'secs': { unit: 's', dimension: 'time' },
  'second': { unit: 's', dimension: 'time' }, 'seconds': { unit: 's', dimension: 'time' }, 'seconds long': { unit: 's', dimension: 'time' },
  'min': { unit: 'min', dimension: 'time' }, 'mins': { unit: 'min', dimension: 'time' }, 'minute': { unit: 'min', dimension: 'time' }, 'minutes': { unit: 'min', dimension: 'time' },
  'mps': { unit: 'm/s', dimension: 'speed' }, 'meters per second': { unit: 'm/s', dimension: 'speed' }, 'metres per second': { unit: 'm/s', dimension: 'speed' },
  'meters a second': { unit: 'm/s', dimension: 'speed' }, 'metres a second': { unit: 'm/s', dimension: 'speed' }, 'meter per second': { unit: 'm/s', dimension: 'speed' }, 'metre per second': { unit: 'm/s', dimension: 'speed' },
  'kmh': { unit: 'km/h', dimension: 'speed' }, 'kph': { unit: 'km/h', dimension: 'speed' }, 'kilometres per hour': { unit: 'km/h', dimension: 'speed' },
  'kilometers per hour': { unit: 'km/h', dimension: 'speed' }, 'kilometres an hour': { unit: 'km/h', dimension: 'speed' }, 'kilometers an hour': { unit: 'km/h', dimension: 'speed' },
  'k': { unit: 'km/h', dimension: 'speed' }, 'clicks': { unit: 'km/h', dimension: 'speed' },
  'mph': { unit: 'mi/h', dimension: 'speed' }, 'miles per hour': { unit: 'mi/h', dimension: 'speed' }, 'miles an hour': { unit: 'mi/h', dimension: 'speed' },
  'fps': { unit: 'ft/s', dimension: 'speed' }, 'feet per second': { unit: 'ft/s', dimension: 'speed' }, 'feet a second': { unit: 'ft/s', dimension: 'speed' },
  'deg': { unit: 'deg', dimension: 'angle' }, 'degree': { unit: 'deg', dimension: 'angle' }, 'degrees': { unit: 'deg', dimension: 'angle' },
};

/** Words after a length that make it a height above ground ("10 metres high"). */
export const HEIGHT_SUFFIXES = ['high', 'up', 'tall', 'above ground', 'above the ground', 'of altitude', 'altitude', 'agl', 'in the air', 'off the ground', 'above', 'overhead'] as const;
/** Words before a length that make it a height ("at a height of 10 m"). */
export const HEIGHT_PREFIXES = ['height', 'height of', 'at a height of', 'altitude', 'altitude of', 'at an altitude of', 'at altitude', 'elevation', 'up to', 'down to', 'climb to', 'descend to'] as const;
/** Words after a length that make it a camera-to-subject distance ("5 metres away"). */
export const DISTANCE_SUFFIXES = ['away', 'back', 'off', 'out', 'distance', 'from her', 'from him', 'from them', 'radius', 'away from her', 'away from him', 'away from them'] as const;
export const DISTANCE_PREFIXES = ['distance', 'distance of', 'at a distance of', 'radius', 'radius of', 'with a radius of', 'stay', 'keep', 'range'] as const;
/** Words before a number that make it an f-number. */
export const APERTURE_PREFIXES = ['f', 'f stop', 'fstop', 'f number', 't', 't stop', 'tstop', 'aperture', 'aperture of', 'iris', 'iris at', 'stop', 'at f', 'at t', 'f of'] as const;
/** Words after a focal length that are part of it ("85 mm lens"). */
export const FOCAL_SUFFIXES = ['lens', 'prime', 'focal length', 'end'] as const;
export const FOCAL_PREFIXES = ['focal length', 'focal length of', 'zoom', 'zoom from', 'zoom to', 'on a', 'on an', 'on the'] as const;
export const DURATION_PREFIXES = ['over', 'for', 'in', 'lasting', 'taking', 'duration', 'duration of', 'within'] as const;
export const SPEED_PREFIXES = ['at', 'speed', 'speed of', 'at a speed of', 'moving at', 'doing'] as const;

/** Pronouns that refer to the current shot's subjects. */
export const PRONOUNS: Record<string, 'one' | 'all'> = { him: 'one', her: 'one', them: 'all', both: 'all', 'both of them': 'all', 'the two of them': 'all' };

/** Words that introduce a subject (used to spot unknown names). */
export const SUBJECT_PREPOSITIONS = ['on', 'of', 'around', 'at', 'to', 'from', 'behind', 'and', 'onto', 'towards', 'toward', 'past', 'over', 'follow', 'track', 'lead', 'orbit', 'circle', 'reveal'] as const;
