/**
 * What the ground-station server needs from the studio behind it — the one
 * seam between the web/server side and the simulator + controller. The
 * server never reaches past this interface; ground-station/studio.ts
 * implements it with the real simulator, controller and shot language.
 */
import type { CommandParams, CommandType } from './protocol/commands.ts';
import type { HelloMessage, PreviewResult, SceneInfo, ShotLibraryEntry, StateMessage } from './protocol/state.ts';
import type { Principal } from './server/access.ts';
import type { AuditSink } from './server/audit.ts';

export type StudioState = Omit<StateMessage, 'type' | 'seq'>;

/** A spoken stop: which detector heard it and what it heard. */
export interface HeardStop {
  /** stop-decoder: the dedicated stop decode (speech/stop-spotter.ts); shot-recogniser: the shot transcript parsed to a stop */
  by: 'stop-decoder' | 'shot-recogniser';
  /** the phrase(s) or transcript heard */
  heard: string;
}

/** What the server did about a spoken stop: every vehicle told to stop (autonomy off, autopilot holds). */
export interface SpokenStopOutcome extends HeardStop {
  vehicles: { vehicleId: string; ok: boolean; message: string }[];
}

export interface SpeechResult {
  transcript: string;
  confidence: number | null;
  /** the parsed ShotSpec, or why the words did not parse */
  parse: { ok: true; spec: unknown } | { ok: false; error: string };
  /** set when a stop was heard and acted on (before this answer; the parse is then not to be previewed) */
  stop?: SpokenStopOutcome;
}

export interface Studio {
  readonly scene: SceneInfo;
  /** changes when subjects are renamed */
  readonly shotLibrary: ShotLibraryEntry[];
  readonly speech: HelloMessage['speech'];
  /** Current state of every vehicle and subject (called at the stream rate). */
  state(): StudioState;
  /**
   * Carry out a validated, authorised command. Resolves with the command's
   * result (preview: a PreviewResult; parse: { spec }); throws a
   * GroundStationError (or a CinePilotError, reported as its catalogue
   * fallback) when it cannot.
   */
  execute<T extends CommandType>(type: T, params: CommandParams<T>, who: Principal): Promise<unknown>;
  /**
   * Offline recognition of a WAV recording (16-bit PCM). When a spoken stop
   * is heard, `onStop` is called at once (before the shot recognition ends),
   * at most once per recording; the caller stops the vehicles.
   */
  recognise(wav: Buffer, who: Principal, onStop?: (heard: HeardStop) => Promise<unknown>): Promise<SpeechResult>;
  /**
   * A client with this role connected (its WebSocket opened); call the
   * result when it disconnects. Pilots count as "a pilot is connected" for
   * the controller's arming checks.
   */
  clientConnected(who: Principal): () => void;
  /** Where audit entries should also go (the flight log), if anywhere. */
  readonly auditSink: AuditSink | null;
  close(): Promise<void>;
}

export type { PreviewResult };
