/**
 * The web app's static files (the esbuild bundle in the build folder). The
 * shell carries no secret, so it is served to anyone: a page opened with a
 * wrong token must still load to say plainly that the token was refused.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

export interface WebOptions {
  /** folder holding index.html and the bundle */
  root: string;
}

export const webPlugin: FastifyPluginAsync<WebOptions> = async (app: FastifyInstance, opts) => {
  if (!existsSync(join(opts.root, 'index.html'))) {
    app.get('/', async (_req, reply) => reply.code(503).type('text/plain').send(`The web app is not built in ${opts.root}; run \`npm start\` (it builds it) or \`node ground-station/web/build.ts\`.`));
    return;
  }
  await app.register(fastifyStatic, { root: opts.root, prefix: '/', index: ['index.html'], cacheControl: false });
};
