// The browser mode's frames: JSON with its binary parts carried beside it, so
// bytes cross the WebSocket as bytes. A frame is
//   [u32 header length, little-endian][UTF-8 JSON header][blob 0][blob 1]...
// where each Uint8Array in the message is replaced by {"$blob": i, "n": length}.

/** A message from the browser: a request with its correlation id. */
export interface WireRequest {
  kind: 'request';
  seq: number;
  name: string;
  payload: unknown;
}

/** A message to the browser: an answer, or an event. */
export type WireReply =
  | { kind: 'result'; seq: number; result: unknown }
  | { kind: 'event'; name: string; payload: unknown };

export type WireMessage = WireRequest | WireReply;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a message into one binary frame. */
export function encodeFrame(message: WireMessage): Uint8Array {
  const blobs: Uint8Array[] = [];
  // The replacer reads the holder's own value: a Node Buffer's toJSON has already
  // turned `value` into {type, data: [...]} by the time the replacer sees it.
  const json = JSON.stringify(message, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    if (raw instanceof Uint8Array) {
      blobs.push(raw);
      return { $blob: blobs.length - 1, n: raw.byteLength };
    }
    return value as unknown;
  });
  const header = encoder.encode(json);
  const total = 4 + header.byteLength + blobs.reduce((n, b) => n + b.byteLength, 0);
  const frame = new Uint8Array(total);
  new DataView(frame.buffer).setUint32(0, header.byteLength, true);
  frame.set(header, 4);
  let at = 4 + header.byteLength;
  for (const blob of blobs) {
    frame.set(blob, at);
    at += blob.byteLength;
  }
  return frame;
}

/** Decodes one frame; throws on a frame that does not hold together. */
export function decodeFrame(frame: Uint8Array): WireMessage {
  if (frame.byteLength < 4) throw new Error('frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > frame.byteLength) throw new Error('frame header longer than frame');
  const header = decoder.decode(frame.subarray(4, 4 + headerLength));
  const sizes: number[] = [];
  JSON.parse(header, (_key, value: unknown) => {
    if (isBlobRef(value)) sizes[value.$blob] = value.n;
    return value;
  });
  const offsets: number[] = [];
  let at = 4 + headerLength;
  for (let i = 0; i < sizes.length; i++) {
    offsets.push(at);
    at += sizes[i] ?? 0;
  }
  if (at > frame.byteLength) throw new Error('frame blobs longer than frame');
  return JSON.parse(header, (_key, value: unknown) => {
    if (!isBlobRef(value)) return value;
    const start = offsets[value.$blob];
    return frame.slice(start, start + value.n);
  }) as WireMessage;
}

function isBlobRef(value: unknown): value is { $blob: number; n: number } {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as { $blob?: unknown; n?: unknown };
  return Number.isInteger(ref.$blob) && Number.isInteger(ref.n) && (ref.n as number) >= 0;
}
