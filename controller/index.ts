/**
 * The controller runtime's public surface, for the ground station and tools:
 * the Runtime and its types, the clocks, the safety vocabulary, the bus and
 * the flight log. Vehicle links have their own entry (controller/links/factory.ts);
 * the MPC shot controller its own (controller/mpc-shot-controller.ts).
 */
export { Runtime, ACTION_RETRY_S } from './runtime.ts';
export type { RuntimeOptions, RuntimeSnapshot, RuntimeEvent, CommandOutcome, CommandRecord, CommandName, Who, Role, SubjectSnapshot } from './runtime.ts';
export { ControlLoop, DEFAULT_RATE_HZ, type TickInfo } from './loop/control-loop.ts';
export { MonotonicClock, VirtualClock, type LoopClock } from './loop/clock.ts';
export type { LoopStats } from './loop/loop-stats.ts';
export { NO_SUBJECTS, type SubjectSource } from './loop/subject-source.ts';
export { EstimateFeed } from './loop/estimate-feed.ts';
export { SAFETY_STATES, type SafetyState, type SafetyTransition, type SafetyReason, type SafetyEffect } from './safety/states.ts';
export type { SupervisorSettings } from './safety/supervisor.ts';
export type { EnvelopeSettings } from './safety/envelope.ts';
export { validateGeofence } from './safety/geofence.ts';
export { createInProcessBus } from './bus/in-process.ts';
export { ZmqBusServer, ZmqBusClient, parseBusUrl, DEFAULT_BUS_PORT } from './bus/zmq.ts';
export { serveRuntimeOnBus, PILOT_LEASE_S } from './bus/runtime-bridge.ts';
export type { BusServer, BusClient } from './bus/bus.ts';
export type { BusRequest, BusReply, BusStats } from './bus/messages.ts';
export { FlightLogWriter } from './flight-log/writer.ts';
export { readFlightLog, summarizeFlightLog } from './flight-log/reader.ts';
export { FLIGHT_LOG_CHANNELS } from './flight-log/channels.ts';
