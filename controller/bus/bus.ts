/**
 * The bus API, the same in one process and across processes: the controller
 * side publishes state and events and answers requests; a client (ground
 * station, another tool) subscribes and sends requests.
 */
import type { Observable } from 'rxjs';
import type { BusReply, BusRequest, BusStats, BusTopic } from './messages.ts';

export type RequestHandler = (request: BusRequest) => Promise<BusReply> | BusReply;

export interface BusServer {
  /** 'in-process' | 'zmq' */
  readonly kind: string;
  /** where clients connect (zmq), or null in process */
  readonly endpoints: { state: string; command: string } | null;
  publish(topic: BusTopic, message: unknown): void;
  /** one handler; a second call replaces it */
  onRequest(handler: RequestHandler): void;
  stats(): BusStats;
  close(): Promise<void>;
}

export interface BusClient {
  readonly kind: string;
  readonly state$: Observable<unknown>;
  readonly events$: Observable<unknown>;
  request(request: BusRequest, timeoutMs?: number): Promise<BusReply>;
  stats(): BusStats;
  close(): Promise<void>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 2000;
