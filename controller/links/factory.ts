/**
 * One entry point for every vehicle link: a URL (`sim`, `mavlink:…`,
 * `mavsdk://…`, see url.ts) or a link profile from hardware-profiles/links.
 * The returned link is not connected yet; call `connect()`.
 *
 * Implementations load on demand, so a MAVLink user does not pay for gRPC and
 * a real flight does not load the simulator.
 */
import { CinePilotError } from '../../core/errors.ts';
import type { VehicleLink } from '../../core/vehicle-link.ts';
import type { LinkProfile, Rig } from '../../hardware-profiles/schema.ts';
import { loadRig } from '../../hardware-profiles/loader.ts';
import type { SimWorld } from '../../sim/world.ts';
import { ACCEPTED_LINK_FORMS, type LinkAddress, parseLinkUrl } from './url.ts';
import type { LensRanges } from './mavlink/lens-levels.ts';
import type { MavlinkLinkSettings } from './mavlink/mavlink-link.ts';
import type { MavsdkLinkSettings } from './mavsdk/mavsdk-link.ts';

export interface CreateLinkOptions {
  /** supplies the lens ranges (zoom/focus percentages on the wire) unless `lens` is given */
  rig?: Rig;
  lens?: LensRanges;
  /** the world a `sim` link drives; without it a world is built from `scene` */
  world?: SimWorld;
  /** built-in scene name or file for a `sim` link without `world` (default static-subject) */
  scene?: string;
  mavlink?: Partial<Omit<MavlinkLinkSettings, 'endpoint' | 'lens'>>;
  mavsdk?: Partial<Omit<MavsdkLinkSettings, 'grpcAddress' | 'lens'>>;
}

function addressFromProfile(p: LinkProfile): LinkAddress {
  switch (p.kind) {
    case 'sim':
      return { kind: 'sim' };
    case 'mavlink': {
      if (!p.url) throw new CinePilotError('LINK_PROFILE_INCOMPLETE', `link profile "${p.name}": kind mavlink needs a "url" (${ACCEPTED_LINK_FORMS.filter((f) => f.startsWith('mavlink')).join(', ')}).`);
      const a = parseLinkUrl(p.url);
      if (a.kind !== 'mavlink') throw new CinePilotError('LINK_PROFILE_INCOMPLETE', `link profile "${p.name}": kind mavlink but url "${p.url}" is not a mavlink: URL.`);
      return {
        ...a,
        options: {
          ...a.options,
          systemId: a.options.systemId ?? p.systemId,
          componentId: a.options.componentId ?? p.componentId,
          targetSystemId: a.options.targetSystemId ?? p.targetSystemId,
          autopilot: a.options.autopilot ?? p.autopilot,
        },
      };
    }
    case 'mavsdk': {
      const raw = p.grpcAddress ? `mavsdk://${p.grpcAddress}` : p.url;
      if (!raw) throw new CinePilotError('LINK_PROFILE_INCOMPLETE', `link profile "${p.name}": kind mavsdk needs "grpcAddress" (host:port of mavsdk_server, e.g. 127.0.0.1:50051).`);
      const a = parseLinkUrl(raw);
      if (a.kind !== 'mavsdk') throw new CinePilotError('LINK_PROFILE_INCOMPLETE', `link profile "${p.name}": "${raw}" is not a mavsdk address.`);
      return a;
    }
  }
}

/** Build (not connect) the link a URL or profile names. Bad URLs throw LINK_URL_INVALID listing the accepted forms. */
export async function createVehicleLink(urlOrProfile: string | LinkProfile, opts: CreateLinkOptions = {}): Promise<VehicleLink> {
  const address = typeof urlOrProfile === 'string' ? parseLinkUrl(urlOrProfile) : addressFromProfile(urlOrProfile);
  const lens = (): LensRanges => opts.lens ?? opts.rig?.lens ?? loadRig().lens;
  switch (address.kind) {
    case 'sim': {
      const [{ SimVehicleLink }, { SimWorld }, { loadScene }] = await Promise.all([
        import('../../sim/sim-vehicle-link.ts'),
        import('../../sim/world.ts'),
        import('../../sim/scene-loader.ts'),
      ]);
      const world = opts.world ?? new SimWorld(loadScene(opts.scene ?? 'static-subject'));
      return new SimVehicleLink(world);
    }
    case 'mavlink': {
      const { MavlinkVehicleLink, mavlinkLinkSettings } = await import('./mavlink/mavlink-link.ts');
      const o = address.options;
      // Sharing the vehicle's system id means we are one of its components: an onboard computer.
      const onboard = o.systemId !== undefined && o.systemId === o.targetSystemId;
      return new MavlinkVehicleLink(mavlinkLinkSettings(address.endpoint, lens(), {
        ...(onboard ? { role: 'onboard' as const } : {}),
        ...opts.mavlink,
        ...(o.systemId !== undefined ? { systemId: o.systemId } : {}),
        ...(o.componentId !== undefined ? { componentId: o.componentId } : {}),
        ...(o.targetSystemId !== undefined ? { targetSystemId: o.targetSystemId } : {}),
        ...(o.autopilot !== undefined ? { autopilot: o.autopilot } : {}),
      }));
    }
    case 'mavsdk': {
      const { MavsdkVehicleLink, mavsdkLinkSettings } = await import('./mavsdk/mavsdk-link.ts');
      return new MavsdkVehicleLink(mavsdkLinkSettings(address.grpcAddress, lens(), opts.mavsdk));
    }
  }
}
