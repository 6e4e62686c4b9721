/**
 * Loads TensorFlow.js graph models from the files that ship inside
 * @vladmandic/human (models/<name>.json + .bin), through an IOHandler that
 * reads the disk: no URL is ever fetched.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GraphModel, io } from '@tensorflow/tfjs';
import { CinePilotError } from '../../core/errors.ts';
import type { Tf } from './tf-backend.ts';

const require = createRequire(import.meta.url);

export function humanModelsDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve('@vladmandic/human/package.json');
  } catch {
    // the package's "exports" may hide package.json; its main entry sits in dist/
    pkg = join(dirname(require.resolve('@vladmandic/human')), '..', 'package.json');
  }
  return join(dirname(pkg), 'models');
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: io.WeightsManifestEntry[] }>;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
}

/** An IOHandler for `<dir>/<name>.json` and the weight files it lists. */
export function diskModelHandler(jsonPath: string): io.IOHandler {
  return {
    load: async () => {
      if (!existsSync(jsonPath)) throw new CinePilotError('MODEL_NOT_FOUND', `model file ${jsonPath} is missing; reinstall @vladmandic/human (\`npm install\`).`);
      const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
      const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(jsonPath), p))));
      const total = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology as object,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: total.buffer.slice(total.byteOffset, total.byteOffset + total.byteLength),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? null,
        signature: json.signature as object | undefined,
        userDefinedMetadata: json.userDefinedMetadata as { [key: string]: {} } | undefined,
      };
    },
  };
}

export async function loadHumanModel(tf: Tf, name: string): Promise<GraphModel> {
  return tf.loadGraphModel(diskModelHandler(join(humanModelsDir(), `${name}.json`)));
}
