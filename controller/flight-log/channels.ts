/**
 * The flight log's channels and their JSON schemas (MCAP "jsonschema"
 * encoding, JSON messages), so Foxglove shows typed fields. Schemas list the
 * main fields and leave the rest open: the log must accept what the
 * controller produces as it grows.
 */
export const FLIGHT_LOG_CHANNELS = {
  /** one per tick: vehicle, setpoint/gimbal/lens sent, shot status, safety state, solver diagnostics */
  tick: '/controller/tick',
  /** the MPC plan summary over the horizon (every tick a plan is produced) */
  plan: '/controller/plan',
  /** subject estimates the controller saw */
  subjects: '/controller/subjects',
  /** safety supervisor transitions and envelope interventions */
  safety: '/safety/transitions',
  /** every command: who, when, text, parsed ShotSpec, accepted/rejected and why */
  commands: '/commands',
  /** loop timing statistics, about once per second */
  loop: '/controller/loop',
} as const;

export type FlightLogChannel = keyof typeof FLIGHT_LOG_CHANNELS;

const vec = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' }, z: { type: 'number' } } };
const nullableObject = { type: ['object', 'null'] };

export const FLIGHT_LOG_SCHEMAS: Record<FlightLogChannel, { name: string; schema: object }> = {
  tick: {
    name: 'cinepilot.ControllerTick',
    schema: {
      type: 'object',
      properties: {
        timeS: { type: 'number', description: 'monotonic time, s' },
        tick: { type: 'integer' },
        vehicle: { ...nullableObject, properties: { positionNedM: vec, velocityNedMps: vec, yawRad: { type: 'number' }, mode: { type: 'string' } } },
        setpoint: nullableObject,
        gimbal: nullableObject,
        lens: nullableObject,
        safety: { type: 'object', properties: { state: { type: 'string' }, envelope: { type: 'string' } } },
        shot: nullableObject,
        solver: nullableObject,
        linkAgeS: { type: 'number' },
      },
    },
  },
  plan: {
    name: 'cinepilot.PlanSummary',
    schema: {
      type: 'object',
      properties: {
        timeS: { type: 'number' },
        plan: { type: 'object', properties: { timeS: { type: 'array', items: { type: 'number' } }, positionsNedM: { type: 'array', items: vec } } },
      },
    },
  },
  subjects: {
    name: 'cinepilot.Subjects',
    schema: {
      type: 'object',
      properties: {
        timeS: { type: 'number' },
        subjects: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, positionNedM: vec, velocityNedMps: vec, sigmaM: { type: 'number' } } } },
      },
    },
  },
  safety: {
    name: 'cinepilot.SafetyTransition',
    schema: {
      type: 'object',
      properties: {
        atS: { type: 'number' },
        region: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        reason: { type: 'string' },
        detail: { type: 'string' },
        who: { type: 'string' },
        conditionAgeS: { type: 'number' },
        effects: { type: 'array', items: { type: 'string' } },
      },
    },
  },
  commands: {
    name: 'cinepilot.CommandRecord',
    schema: {
      type: 'object',
      properties: {
        atS: { type: 'number' },
        wallTime: { type: 'string' },
        who: { type: 'string' },
        role: { type: 'string' },
        command: { type: 'string' },
        text: { type: 'string' },
        spec: nullableObject,
        accepted: { type: 'boolean' },
        code: { type: 'string' },
        reason: { type: 'string' },
      },
    },
  },
  loop: {
    name: 'cinepilot.LoopStats',
    schema: {
      type: 'object',
      properties: {
        timeS: { type: 'number' },
        ticks: { type: 'integer' },
        overruns: { type: 'integer' },
        jitterP50Ms: { type: 'number' },
        jitterP99Ms: { type: 'number' },
      },
    },
  },
};
