/**
 * Builds the web app into a folder (default dist/ground-station-web, which is
 * git-ignored): esbuild bundles src/main.ts with Three.js into one app.js;
 * index.html and app.css are copied beside it. No CDN: everything is served
 * by the ground-station server. Run directly: `node --import tsx ground-station/web/build.ts [OUTDIR]`.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_OUT_DIR = resolve(HERE, '../../dist/ground-station-web');

export async function buildWebApp(outDir: string = DEFAULT_WEB_OUT_DIR, options: { minify?: boolean } = {}): Promise<{ outDir: string; ms: number }> {
  const t0 = performance.now();
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(HERE, 'src/main.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    outfile: join(outDir, 'app.js'),
    minify: options.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'silent',
  });
  copyFileSync(join(HERE, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(HERE, 'app.css'), join(outDir, 'app.css'));
  return { outDir, ms: performance.now() - t0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_WEB_OUT_DIR;
  const r = await buildWebApp(out);
  console.log(`built ${r.outDir} in ${r.ms.toFixed(0)} ms`);
}
