/**
 * Puts a Runtime on a bus: state snapshots out at a fixed rate, every event
 * out as it happens, requests in (already schema-checked at the edge) mapped
 * onto the Runtime API. Pilot presence is a lease renewed by `hello`: a pilot
 * client that goes silent for PILOT_LEASE_S stops counting as connected.
 */
import type { Runtime, CommandOutcome, Who } from '../runtime.ts';
import type { BusServer } from './bus.ts';
import type { BusReply, BusRequest } from './messages.ts';
import type { EstimateFeed } from '../loop/estimate-feed.ts';

export const DEFAULT_STATE_PUBLISH_HZ = 10;
export const PILOT_LEASE_S = 3;

export interface BusBridge {
  /** pilots currently holding a lease */
  pilots(): string[];
  detach(): void;
}

export interface BusBridgeOptions {
  statePublishHz?: number;
  /** where `subjects` requests from perception clients go; without it they are refused */
  subjectFeed?: EstimateFeed | null;
}

export function serveRuntimeOnBus(runtime: Runtime, server: BusServer, options: BusBridgeOptions = {}): BusBridge {
  const periodS = 1 / (options.statePublishHz ?? DEFAULT_STATE_PUBLISH_HZ);
  const leases = new Map<string, { release: () => void; expiresS: number }>();
  let lastPublishS = -Infinity;

  const expireLeases = (nowS: number) => {
    for (const [id, lease] of leases) {
      if (nowS > lease.expiresS) {
        lease.release();
        leases.delete(id);
      }
    }
  };

  const stateSub = runtime.state$.subscribe((snap) => {
    if (!snap) return;
    expireLeases(snap.timeS);
    if (snap.timeS - lastPublishS < periodS - 1e-9) return;
    lastPublishS = snap.timeS;
    server.publish('state', snap);
  });
  const eventSub = runtime.events$.subscribe((e) => server.publish('event', e));

  const reply = (req: BusRequest, o: CommandOutcome, extra: Partial<BusReply> = {}): BusReply => {
    const r: BusReply = o.ok ? { ok: true, ...(o.message ? { message: o.message } : {}) } : { ok: false, code: o.code, message: o.message };
    if (req.id !== undefined) r.id = req.id;
    return { ...r, ...extra };
  };

  server.onRequest(async (req) => {
    const who: Who = { id: req.who.id, role: req.who.role };
    const c = req.command;
    switch (c.type) {
      case 'shot': return reply(req, runtime.submitShot(c.spec, who, c.text));
      case 'hold': return reply(req, runtime.hold(who));
      case 'stop': return reply(req, runtime.stopShot(who));
      case 'estop': return reply(req, runtime.eStop(who));
      case 'rearm': return reply(req, runtime.rearm(who));
      case 'override': return reply(req, runtime.setPilotOverride(c.on, who));
      case 'resume': return reply(req, runtime.resume(who));
      case 'arm': return reply(req, await runtime.arm(who));
      case 'disarm': return reply(req, await runtime.disarm(who));
      case 'takeoff': return reply(req, await runtime.takeoff(c.altitudeM, who));
      case 'land': return reply(req, await runtime.land(who));
      case 'return-home': return reply(req, await runtime.returnHome(who));
      case 'snapshot': return reply(req, { ok: true }, { snapshot: runtime.snapshot() });
      case 'hello': {
        if (who.role !== 'pilot') return reply(req, { ok: true, message: 'hello' });
        const nowS = runtime.clock.nowS();
        const lease = leases.get(who.id);
        if (lease) lease.expiresS = nowS + PILOT_LEASE_S;
        else leases.set(who.id, { release: runtime.connectPilot(who), expiresS: nowS + PILOT_LEASE_S });
        return reply(req, { ok: true, message: `pilot ${who.id} connected; say hello at least every ${PILOT_LEASE_S} s` });
      }
      case 'subjects': {
        if (who.role !== 'perception') return reply(req, { ok: false, code: 'ROLE_NOT_ALLOWED', message: `subject estimates come from a perception client (role perception); ${who.id} is ${who.role}.` });
        if (!options.subjectFeed) return reply(req, { ok: false, code: 'SUBJECTS_NOT_ACCEPTED', message: 'this controller takes its subjects from elsewhere (e.g. the simulator); it does not accept estimates over the bus.' });
        options.subjectFeed.push(c.estimates, c.sentTimeS);
        return reply(req, { ok: true });
      }
      case 'bye': {
        leases.get(who.id)?.release();
        leases.delete(who.id);
        return reply(req, { ok: true, message: 'bye' });
      }
    }
  });

  return {
    pilots: () => [...leases.keys()],
    detach() {
      stateSub.unsubscribe();
      eventSub.unsubscribe();
      for (const lease of leases.values()) lease.release();
      leases.clear();
      server.onRequest(async () => ({ ok: false, code: 'BUS_NO_HANDLER', message: 'the controller has stopped' }));
    },
  };
}
