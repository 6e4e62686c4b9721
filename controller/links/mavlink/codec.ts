/**
 * MAVLink framing: bytes ⇄ messages, shared by the vehicle link and the
 * simulator's autopilot endpoint.
 *
 * node-mavlink supplies the message classes, serialisation and the X.25 CRC;
 * the framing here is ours because a link must survive hostile input: every
 * datagram is parsed on its own (a truncated frame never swallows the next
 * datagram), the stream buffer is bounded, and every rejected candidate is
 * counted by reason instead of logged.
 */
import {
  MavLinkProtocolV1,
  MavLinkProtocolV2,
  x25crc,
  minimal,
  common,
  ardupilotmega,
  type MavLinkData,
  type MavLinkDataConstructor,
  type MavLinkPacketRegistry,
} from 'node-mavlink';

export const STX_V1 = 0xfe;
export const STX_V2 = 0xfd;
const HEADER_V1 = 6;
const HEADER_V2 = 10;
const CHECKSUM_BYTES = 2;
const SIGNATURE_BYTES = 13;
const IFLAG_SIGNED = 0x01;
/** A stream buffer longer than this holds garbage; drop it rather than grow. */
export const MAX_STREAM_BUFFER_BYTES = 64 * 1024;

/** Every message class we may meet; ArduPilot's dialect is a superset of common. */
export const MAVLINK_REGISTRY: MavLinkPacketRegistry = {
  ...minimal.REGISTRY,
  ...common.REGISTRY,
  ...ardupilotmega.REGISTRY,
};

export interface MavlinkFrame {
  msgid: number;
  sysid: number;
  compid: number;
  seq: number;
  /** payload as sent (MAVLink 2 may have trimmed trailing zeros) */
  payload: Buffer;
  message: MavLinkData;
}

export interface DecoderStats {
  frames: number;
  crcErrors: number;
  unknownMessages: number;
  /** runs of bytes that were not a frame, and frames cut short at a datagram end */
  garbage: number;
  /** frames whose payload the message class could not decode */
  decodeErrors: number;
}

export function rejectedCount(s: DecoderStats): number {
  return s.crcErrors + s.unknownMessages + s.garbage + s.decodeErrors;
}

/**
 * Splits bytes into verified frames. `datagram` mode (UDP) treats each chunk
 * as complete; `stream` mode (TCP, serial) keeps an incomplete tail for the
 * next chunk.
 */
export class MavlinkDecoder {
  readonly stats: DecoderStats = { frames: 0, crcErrors: 0, unknownMessages: 0, garbage: 0, decodeErrors: 0 };
  private tail: Buffer | null = null;
  private readonly v1 = new MavLinkProtocolV1();
  private readonly v2 = new MavLinkProtocolV2();

  constructor(
    private readonly mode: 'datagram' | 'stream',
    private readonly registry: MavLinkPacketRegistry = MAVLINK_REGISTRY,
  ) {}

  push(chunk: Buffer, onFrame: (frame: MavlinkFrame) => void): void {
    let buf = chunk;
    if (this.mode === 'stream' && this.tail) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = null;
    }
    let i = 0;
    let inGarbage = false;
    while (i < buf.length) {
      const stx = buf[i];
      if (stx !== STX_V1 && stx !== STX_V2) {
        if (!inGarbage) this.stats.garbage++;
        inGarbage = true;
        i++;
        continue;
      }
      const headerLen = stx === STX_V2 ? HEADER_V2 : HEADER_V1;
      if (buf.length - i < 2) {
        if (!this.keepTail(buf, i)) this.stats.garbage++;
        return;
      }
      const payloadLen = buf[i + 1]!;
      const signed = stx === STX_V2 && buf.length - i > 2 && (buf[i + 2]! & IFLAG_SIGNED) !== 0;
      const frameLen = headerLen + payloadLen + CHECKSUM_BYTES + (signed ? SIGNATURE_BYTES : 0);
      if (buf.length - i < frameLen) {
        // Too short: either the rest arrives later (stream) or this is a
        // false start byte; rescan from the next byte in datagram mode.
        if (this.keepTail(buf, i)) return;
        if (!inGarbage) this.stats.garbage++;
        inGarbage = true;
        i++;
        continue;
      }
      const msgid = stx === STX_V2 ? buf.readUIntLE(i + 7, 3) : buf[i + 5]!;
      const clazz = this.registry[msgid];
      const crcAt = i + headerLen + payloadLen;
      const sent = buf.readUInt16LE(crcAt);
      if (!clazz) {
        // Without the class we have no CRC_EXTRA, so cannot tell a foreign
        // message from noise: skip only the start byte and rescan.
        this.stats.unknownMessages++;
        inGarbage = false;
        i++;
        continue;
      }
      const crc = x25crc(buf.subarray(i, crcAt), 1, 0, clazz.MAGIC_NUMBER);
      if (crc !== sent) {
        this.stats.crcErrors++;
        inGarbage = false;
        i++;
        continue;
      }
      inGarbage = false;
      const payload = buf.subarray(i + headerLen, crcAt);
      let message: MavLinkData;
      try {
        message = (stx === STX_V2 ? this.v2 : this.v1).data(padPayload(payload, clazz), clazz);
      } catch {
        this.stats.decodeErrors++;
        i += frameLen;
        continue;
      }
      this.stats.frames++;
      onFrame({
        msgid,
        sysid: stx === STX_V2 ? buf[i + 5]! : buf[i + 3]!,
        compid: stx === STX_V2 ? buf[i + 6]! : buf[i + 4]!,
        seq: stx === STX_V2 ? buf[i + 4]! : buf[i + 2]!,
        payload,
        message,
      });
      i += frameLen;
    }
  }

  /** Stream mode keeps a possible frame start for the next chunk. */
  private keepTail(buf: Buffer, from: number): boolean {
    if (this.mode !== 'stream') return false;
    const rest = buf.length - from;
    if (rest > MAX_STREAM_BUFFER_BYTES) return false;
    this.tail = Buffer.from(buf.subarray(from));
    return true;
  }
}

/** MAVLink 2 trims trailing zero bytes; the class decoder wants the full length. */
function padPayload(payload: Buffer, clazz: MavLinkDataConstructor<MavLinkData>): Buffer {
  const full = clazz.PAYLOAD_LENGTH;
  if (payload.length >= full) return payload;
  const out = Buffer.alloc(full);
  payload.copy(out);
  return out;
}

/** Serialises messages for one MAVLink component with its own sequence counter. */
export class MavlinkEncoder {
  private seq = 0;
  private readonly protocol: MavLinkProtocolV2;

  constructor(readonly systemId: number, readonly componentId: number) {
    this.protocol = new MavLinkProtocolV2(systemId, componentId);
  }

  encode(message: MavLinkData): Buffer {
    const buf = this.protocol.serialize(message, this.seq);
    this.seq = (this.seq + 1) & 0xff;
    return buf;
  }
}

/**
 * PARAM_EXT_* carry the value as raw bytes in a char[128]; node-mavlink reads
 * char arrays as C strings (stopping at the first zero byte), which mangles
 * binary values, so REAL32 values are read from and written to the payload
 * bytes directly.
 */
export function readParamExtReal32(payload: Buffer, clazz: MavLinkDataConstructor<MavLinkData>): number | null {
  const field = clazz.FIELDS.find((f) => f.name === 'paramValue');
  if (!field) return null;
  const bytes = Buffer.alloc(4);
  payload.copy(bytes, 0, field.offset, Math.min(payload.length, field.offset + 4));
  const v = bytes.readFloatLE(0);
  return Number.isFinite(v) ? v : null;
}

/** Encode a REAL32 as the char string node-mavlink serialises byte for byte. */
export function paramExtReal32String(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeFloatLE(value, 0);
  return String.fromCharCode(...bytes);
}

/** MAVLink strings are fixed-width, zero-padded: `paramId` keeps ≤ 16 characters. */
export function paramId(name: string): string {
  return name.slice(0, 16);
}
