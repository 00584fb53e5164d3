// Prepares engine answers for the wire codec. encodeFrame finds binary parts
// through JSON.stringify's replacer, which sees a Buffer only after its toJSON
// has turned it into {type, data: [...]}; plain Uint8Array views keep them binary.

/** A deep copy of a value in which every Buffer is a plain Uint8Array over the same bytes. */
export function plainBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.isBuffer(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
      : value;
  }
  if (Array.isArray(value)) return value.map(plainBytes);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = plainBytes(inner);
  return out;
}
