/**
 * Shared set-up for the ground-station tests: a real studio (simulator +
 * controller runtime + shot language) behind a real server, with one token
 * per role and the audit log in a temporary folder.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessControl, type TokenEntry } from '../../ground-station/server/access.ts';
import { AuditLog, type AuditEntry } from '../../ground-station/server/audit.ts';
import { createGroundStation, type GroundStation, type GroundStationOptions } from '../../ground-station/server/server.ts';
import { createStudio, type LiveStudio, type StudioOptions } from '../../ground-station/studio.ts';

export const TOKENS = {
  pilot: 'pilot-token-0123456789abcdef',
  dp: 'dp-token-0123456789abcdef',
  viewer: 'viewer-token-0123456789abcdef',
} as const;

export const TOKEN_ENTRIES: TokenEntry[] = [
  { name: 'test pilot', role: 'pilot', token: TOKENS.pilot },
  { name: 'test dp', role: 'dp', token: TOKENS.dp },
  { name: 'test viewer', role: 'viewer', token: TOKENS.viewer },
];

export interface TestStation {
  studio: LiveStudio;
  station: GroundStation;
  dir: string;
  auditFile: string;
  audit(): AuditEntry[];
  close(): Promise<void>;
}

export async function startTestStation(
  studioOptions: StudioOptions = {},
  serverOptions: Partial<Omit<GroundStationOptions, 'studio' | 'access' | 'audit'>> = {},
): Promise<TestStation> {
  const dir = mkdtempSync(join(tmpdir(), 'cinepilot-gs-'));
  const auditFile = join(dir, 'audit.jsonl');
  // The baseline controller keeps the server tests light; the browser test flies the default (MPC).
  const studio = await createStudio({ controller: 'baseline', flightLogPath: null, ...studioOptions });
  const station = await createGroundStation({
    studio, access: new AccessControl(TOKEN_ENTRIES), audit: new AuditLog(auditFile), webRoot: null, ...serverOptions,
  });
  return {
    studio, station, dir, auditFile,
    audit: () => (existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry) : []),
    async close() {
      await station.app.close();
      await studio.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function waitFor<T>(probe: () => T | null | undefined | false, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      let v: T | null | undefined | false;
      try {
        v = probe();
      } catch (err) {
        reject(err);
        return;
      }
      if (v) resolve(v);
      else if (Date.now() - t0 > timeoutMs) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(check, intervalMs);
    };
    check();
  });
}
