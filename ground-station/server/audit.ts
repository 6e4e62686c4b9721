/**
 * The command audit log: one JSON line per command, who sent it (role and
 * token name), how (rest | ws), what (type and fields), and what came of it.
 * Append-only; each line is written with one appendFile call so a crash
 * leaves whole lines. Entries are also handed to an optional sink (the
 * controller's flight log) so the MCAP log carries them too.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Principal } from './access.ts';

export interface AuditEntry {
  /** wall clock, ISO 8601 (logs only; DESIGN.md §3) */
  wallTime: string;
  role: Principal['role'];
  who: string;
  /** speech: acted on directly from a recording (a spoken stop), not sent as a command */
  via: 'rest' | 'ws' | 'speech';
  command: string;
  params: unknown;
  ok: boolean;
  /** for via speech: what was heard that issued it, and by which detector */
  heard?: string;
  /** error code when refused */
  code?: string;
  message?: string;
}

export type AuditSink = (entry: AuditEntry) => void;

export class AuditLog {
  private readonly file: string | null;
  private readonly sinks: AuditSink[] = [];
  private failedWrites = 0;

  /** `file` null keeps the log in the sinks only. */
  constructor(file: string | null) {
    this.file = file;
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  addSink(sink: AuditSink): void {
    this.sinks.push(sink);
  }

  record(entry: Omit<AuditEntry, 'wallTime'>): AuditEntry {
    const full: AuditEntry = { wallTime: new Date().toISOString(), ...entry };
    if (this.file) {
      try {
        // Synchronous on purpose: commands are rare (tens per second at most)
        // and lines stay whole and in order even if the process dies next.
        appendFileSync(this.file, JSON.stringify(full) + '\n');
      } catch {
        this.failedWrites++;
      }
    }
    for (const sink of this.sinks) {
      try {
        sink(full);
      } catch {
        this.failedWrites++;
      }
    }
    return full;
  }

  get failures(): number {
    return this.failedWrites;
  }
}
