/**
 * Offline speech for shot commands: what the ground station calls with
 * microphone audio (a WAV buffer), and the grammar it is built from.
 */
export { hearShot, ShotRecogniser, findPocketsphinx, POCKETSPHINX_INSTALL_HINT, MIN_CONFIDENCE, NBEST_SIZE, type HeardShot, type Recognition, type RecogniseOptions, type RecogniserMode } from './recogniser.ts';
export { buildGrammar, buildJsgf, toJsgf } from './grammar.ts';
export { toRecogniserWav, RECOGNISER_SAMPLE_RATE_HZ } from './wav.ts';
