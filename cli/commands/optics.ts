/**
 * `cinepilot optics` — depth of field for one lens setting.
 * Values come from flags, or from a lens/camera/rig profile (--profile) with
 * flags overriding it.
 */
import { parseFlags, numberFlag } from '../args.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from '../../core/errors.ts';
import { loadProfile, loadRig, resolveProfilePath } from '../../hardware-profiles/loader.ts';
import type { CameraProfile, LensProfile } from '../../hardware-profiles/schema.ts';
import { farLimitM, fieldOfViewRad, focusBandHalfWidthDioptres, hyperfocalM, nearLimitM } from '../../mpc/optics.ts';

const HELP = `usage: cinepilot optics --focal-mm F --f-number N --focus-m S [--coc-mm C] [--sensor-width-mm W]
                       [--sensor-height-mm H] [--profile FILE|NAME] [--json]

  --focal-mm          focal length, mm (> 0)
  --f-number          aperture f-number (0.7 … 64)
  --focus-m           focus distance, m (> 0)
  --coc-mm            circle of confusion, mm (> 0; default from the profile, else 0.03)
  --sensor-width-mm   sensor width, mm (> 0; default from the profile, else 36)
  --sensor-height-mm  sensor height, mm (> 0; default from the profile, else 24)
  --profile           a camera, lens or rig profile (file or shipped name) supplying defaults
  --json              one JSON object: hyperfocalM, nearM, farM (null = infinity), hfovDeg, vfovDeg, bandDioptres`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    'focal-mm': { type: 'string' },
    'f-number': { type: 'string' },
    'focus-m': { type: 'string' },
    'coc-mm': { type: 'string' },
    'sensor-width-mm': { type: 'string' },
    'sensor-height-mm': { type: 'string' },
    profile: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, false);
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }

  const defaults = { focalMm: undefined as number | undefined, fNumber: undefined as number | undefined, cocMm: 0.03, sensorWidthMm: 36, sensorHeightMm: 24 };
  if (values.profile) {
    const file = resolveProfilePath(values.profile);
    const doc = loadProfile<{ type: string }>(file);
    const applyCamera = (c: CameraProfile) => Object.assign(defaults, { cocMm: c.cocMm, sensorWidthMm: c.sensorWidthMm, sensorHeightMm: c.sensorHeightMm });
    const applyLens = (l: LensProfile) => Object.assign(defaults, { focalMm: l.focalLengthMm.min, fNumber: l.fNumber.min });
    if (doc.type === 'camera') applyCamera(doc as CameraProfile);
    else if (doc.type === 'lens') applyLens(doc as LensProfile);
    else if (doc.type === 'rig') {
      const rig = loadRig(file);
      applyCamera(rig.camera);
      applyLens(rig.lens);
    } else {
      console.error(`cinepilot optics: --profile ${values.profile} is a ${doc.type} profile; give a camera, lens or rig profile.`);
      return EXIT_BAD_INPUT;
    }
  }

  const focalMm = numberFlag('focal-mm', values['focal-mm'], { min: 0, exclusiveMin: true, max: 5000 }) ?? defaults.focalMm;
  const fNumber = numberFlag('f-number', values['f-number'], { min: 0.7, max: 64 }) ?? defaults.fNumber;
  const focusM = numberFlag('focus-m', values['focus-m'], { min: 0, exclusiveMin: true });
  const cocMm = numberFlag('coc-mm', values['coc-mm'], { min: 0, exclusiveMin: true, max: 1 }) ?? defaults.cocMm;
  const sensorWidthMm = numberFlag('sensor-width-mm', values['sensor-width-mm'], { min: 0, exclusiveMin: true, max: 100 }) ?? defaults.sensorWidthMm;
  const sensorHeightMm = numberFlag('sensor-height-mm', values['sensor-height-mm'], { min: 0, exclusiveMin: true, max: 100 }) ?? defaults.sensorHeightMm;

  const missing = [
    focalMm === undefined && '--focal-mm (focal length in mm, > 0)',
    fNumber === undefined && '--f-number (0.7 … 64)',
    focusM === undefined && '--focus-m (focus distance in m, > 0)',
  ].filter(Boolean);
  if (missing.length) {
    console.error(`cinepilot optics: missing ${missing.join(', ')}.\n\n${HELP}`);
    return EXIT_BAD_INPUT;
  }

  const H = hyperfocalM(focalMm!, fNumber!, cocMm);
  const near = nearLimitM(focalMm!, fNumber!, cocMm, focusM!);
  const far = farLimitM(focalMm!, fNumber!, cocMm, focusM!);
  const result = {
    hyperfocalM: H,
    nearM: near,
    farM: Number.isFinite(far) ? far : null,
    hfovDeg: (fieldOfViewRad(sensorWidthMm, focalMm!) * 180) / Math.PI,
    vfovDeg: (fieldOfViewRad(sensorHeightMm, focalMm!) * 180) / Math.PI,
    bandDioptres: focusBandHalfWidthDioptres(focalMm!, fNumber!, cocMm),
  };
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    const m = (x: number | null) => (x === null ? '∞' : `${x.toFixed(3)} m`);
    console.log(`${focalMm} mm f/${fNumber} focused at ${focusM} m (CoC ${cocMm} mm, sensor ${sensorWidthMm}×${sensorHeightMm} mm)`);
    console.log(`  hyperfocal      ${m(result.hyperfocalM)}`);
    console.log(`  depth of field  ${m(result.nearM)} … ${m(result.farM)}`);
    console.log(`  field of view   ${result.hfovDeg.toFixed(2)}° × ${result.vfovDeg.toFixed(2)}°`);
    console.log(`  focus band      ±${result.bandDioptres.toFixed(4)} dioptres`);
  }
  return EXIT_OK;
}
