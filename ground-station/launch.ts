/**
 * Start the whole studio behind the ground-station server: access tokens,
 * audit log, the web app build, the studio, the server. Used by
 * `cinepilot start`, the benchmarks and the end-to-end tests.
 */
import { join } from 'node:path';
import { AccessControl, loadOrCreateAccess, tokenFor } from './server/access.ts';
import { AuditLog } from './server/audit.ts';
import { createGroundStation, type GroundStation } from './server/server.ts';
import { createStudio, type LiveStudio, type StudioOptions } from './studio.ts';
import { buildWebApp, DEFAULT_WEB_OUT_DIR } from './web/build.ts';

export interface LaunchOptions {
  port: number;
  host: string;
  /** access.json, audit.jsonl and logs/ live here */
  configDir: string;
  stateRateHz?: number;
  /** live video source for the camera view (ffmpeg input), if any */
  videoSource?: string | null;
  studio: StudioOptions;
  /** where the web app is built (default dist/ground-station-web) */
  webOutDir?: string;
  log?: (line: string) => void;
}

export interface StudioServer {
  url: string;
  port: number;
  pilotToken: string;
  studio: LiveStudio;
  station: GroundStation;
  close(): Promise<void>;
}

export async function startStudioServer(opts: LaunchOptions): Promise<StudioServer> {
  const log = opts.log ?? (() => undefined);
  const access = loadOrCreateAccess(opts.configDir);
  if (access.generatedPilotToken) log(`cinepilot: generated a pilot token in ${access.file}`);
  const pilotToken = tokenFor(access.tokens, 'pilot')!;
  const web = await buildWebApp(opts.webOutDir ?? DEFAULT_WEB_OUT_DIR);
  log(`cinepilot: web app built in ${web.ms.toFixed(0)} ms`);
  if (opts.studio.link && opts.studio.link !== 'sim') log(`cinepilot: connecting to ${opts.studio.link} (waiting for the autopilot's heartbeat)…`);
  const studio = await createStudio(opts.studio);
  const vehicle = [...studio.vehicles.values()][0]!;
  log(`cinepilot: scene ${studio.scene.name}, ${vehicle.label}, controller ${vehicle.controllerKind}, link ${vehicle.link.endpoint}`);
  const audit = new AuditLog(join(opts.configDir, 'audit.jsonl'));
  let station: GroundStation;
  try {
    station = await createGroundStation({ studio, access: new AccessControl(access.tokens), audit, webRoot: web.outDir, stateRateHz: opts.stateRateHz, videoSource: opts.videoSource ?? null });
    await station.app.listen({ port: opts.port, host: opts.host });
  } catch (err) {
    await studio.close();
    throw err;
  }
  const address = station.app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/?token=${pilotToken}`;
  if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
    log(`cinepilot: listening on ${opts.host}:${port} — reachable from the network; give others dp/viewer tokens from ${access.file}`);
  }
  let closed = false;
  return {
    url, port, pilotToken, studio, station,
    async close() {
      if (closed) return;
      closed = true;
      // The vehicle first (hold), then the server.
      await studio.close();
      await station.app.close();
    },
  };
}
