/**
 * Loads the MAVSDK .proto subset (protos/*.proto) once, for the client link
 * and the in-repo test server alike. Fields arrive in camelCase
 * (`north_m` → `northM`), enums as their names, missing fields as defaults.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'protos');
export const MAVSDK_SERVICES = ['action', 'telemetry', 'offboard', 'gimbal', 'camera'] as const;
export type MavsdkServiceName = (typeof MAVSDK_SERVICES)[number];

const SERVICE_CLASS: Record<MavsdkServiceName, string> = {
  action: 'ActionService',
  telemetry: 'TelemetryService',
  offboard: 'OffboardService',
  gimbal: 'GimbalService',
  camera: 'CameraService',
};

export interface MavsdkDefinitions {
  /** client constructors, e.g. new clients.action(address, credentials) */
  clients: Record<MavsdkServiceName, grpc.ServiceClientConstructor>;
  /** service definitions for grpc.Server.addService */
  services: Record<MavsdkServiceName, grpc.ServiceDefinition>;
}

let cached: MavsdkDefinitions | null = null;

export function mavsdkDefinitions(): MavsdkDefinitions {
  if (cached) return cached;
  const defs = protoLoader.loadSync(MAVSDK_SERVICES.map((s) => join(PROTO_DIR, `${s}.proto`)), {
    keepCase: false,
    enums: String,
    longs: Number,
    defaults: true,
  });
  const root = grpc.loadPackageDefinition(defs) as unknown as { mavsdk: { rpc: Record<string, Record<string, grpc.ServiceClientConstructor>> } };
  const clients = {} as MavsdkDefinitions['clients'];
  const services = {} as MavsdkDefinitions['services'];
  for (const s of MAVSDK_SERVICES) {
    const ctor = root.mavsdk.rpc[s]![SERVICE_CLASS[s]]!;
    clients[s] = ctor;
    services[s] = ctor.service;
  }
  cached = { clients, services };
  return cached;
}
