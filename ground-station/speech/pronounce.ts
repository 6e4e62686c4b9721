/**
 * Letter-to-sound guess (CMU phone set) for words cmudict does not know,
 * typically subject names ("Zed", "Ximena"). English spelling rules are
 * rough, so this is a fallback: the recogniser still has the grammar to
 * lean on, and `cinepilot hear` lists the words it had to guess.
 */

const DIGRAPHS: Array<[string, string]> = [
  ['tch', 'CH'], ['sch', 'SH'], ['igh', 'AY'],
  ['sh', 'SH'], ['ch', 'CH'], ['th', 'TH'], ['ph', 'F'], ['ck', 'K'], ['ng', 'NG'], ['qu', 'K W'], ['wh', 'W'], ['kn', 'N'],
  ['ee', 'IY'], ['ea', 'IY'], ['oo', 'UW'], ['ai', 'EY'], ['ay', 'EY'], ['ey', 'EY'], ['ou', 'AW'], ['ow', 'OW'], ['oi', 'OY'], ['oy', 'OY'],
  ['au', 'AO'], ['aw', 'AO'], ['ie', 'IY'], ['ue', 'UW'], ['er', 'ER'], ['ir', 'ER'], ['ur', 'ER'], ['ar', 'AA R'], ['or', 'AO R'],
];
const SINGLE: Record<string, string> = {
  a: 'AE', b: 'B', d: 'D', e: 'EH', f: 'F', g: 'G', h: 'HH', i: 'IH', j: 'JH', k: 'K', l: 'L', m: 'M', n: 'N', o: 'AA',
  p: 'P', q: 'K', r: 'R', s: 'S', t: 'T', u: 'AH', v: 'V', w: 'W', x: 'K S', z: 'Z',
};
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/** CMU phones for a lower-case word, e.g. "zed" → "Z EH D". */
export function guessPronunciation(word: string): string {
  let w = word.toLowerCase().replace(/[^a-z]/g, '');
  // silent final e after a consonant ("jane" → J EY N is beyond this; drop the e at least)
  if (w.length > 3 && w.endsWith('e') && !VOWELS.has(w[w.length - 2]!)) w = w.slice(0, -1);
  const phones: string[] = [];
  for (let i = 0; i < w.length; ) {
    const di = DIGRAPHS.find(([g]) => w.startsWith(g, i));
    if (di) {
      phones.push(di[1]);
      i += di[0].length;
      continue;
    }
    const c = w[i]!;
    if (i > 0 && c === w[i - 1] && !VOWELS.has(c)) { i++; continue; } // doubled consonant
    if (c === 'c') phones.push('eiy'.includes(w[i + 1] ?? '') ? 'S' : 'K');
    else if (c === 'y') phones.push(i === 0 ? 'Y' : i === w.length - 1 ? 'IY' : 'IH');
    else phones.push(SINGLE[c] ?? '');
    i++;
  }
  return phones.filter(Boolean).join(' ') || 'AH';
}
