/** PNG encoding of RGB frames (pngjs), for reports and debugging. */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { RgbFrame } from '../core/perception-types.ts';

export function encodePng(frame: Pick<RgbFrame, 'width' | 'height' | 'data'>): Buffer {
  const png = new PNG({ width: frame.width, height: frame.height });
  const src = frame.data, dst = png.data;
  for (let i = 0, j = 0; i < frame.width * frame.height; i++, j += 3) {
    dst[i * 4] = src[j]!;
    dst[i * 4 + 1] = src[j + 1]!;
    dst[i * 4 + 2] = src[j + 2]!;
    dst[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

export function writePng(file: string, frame: Pick<RgbFrame, 'width' | 'height' | 'data'>): void {
  writeFileSync(file, encodePng(frame));
}
