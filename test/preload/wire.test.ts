import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../preload/wire';

describe('wire frames', () => {
  it('carry Uint8Arrays and Node Buffers as binary, not as number arrays', () => {
    const bytes = new Uint8Array([0, 255, 10, 13]);
    const buffer = Buffer.from([1, 2, 3]);

    const frame = encodeFrame({ kind: 'result', seq: 3, result: { a: bytes, b: [buffer] } });
    const header = new TextDecoder().decode(
      frame.subarray(4, 4 + new DataView(frame.buffer).getUint32(0, true)),
    );
    const back = decodeFrame(frame) as { result: { a: Uint8Array; b: Uint8Array[] } };

    expect(header).not.toContain('"data"');
    expect(frame.byteLength).toBeLessThan(4 + header.length + 8);
    expect([...back.result.a]).toEqual([0, 255, 10, 13]);
    expect([...back.result.b[0]]).toEqual([1, 2, 3]);
  });

  it('refuses frames whose parts do not add up', () => {
    const frame = encodeFrame({ kind: 'event', name: 'x', payload: new Uint8Array(10) });

    expect(() => decodeFrame(frame.subarray(0, frame.byteLength - 1))).toThrow(/longer than frame/);
    expect(() => decodeFrame(new Uint8Array(2))).toThrow(/too short/);
  });
});
