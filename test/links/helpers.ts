/** Shared by the link tests: polling and a scene whose drone starts disarmed on the ground. */
import { loadScene, sceneFromDocument, type LoadedScene } from '../../sim/scene-loader.ts';

export async function waitFor(cond: () => boolean, timeoutS: number, what: string): Promise<void> {
  const end = performance.now() + timeoutS * 1000;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutS} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** static-subject with the drone parked on the ground at home. */
export function groundScene(): LoadedScene {
  const base = loadScene('static-subject');
  const spec = JSON.parse(JSON.stringify(base.spec));
  spec.drone = { positionNeM: [0, 0], altitudeM: 0, yawDeg: 0 };
  spec.subjects[0].motion.positionNeM = [20, 0];
  return sceneFromDocument(spec, 'test:ground', process.cwd());
}
