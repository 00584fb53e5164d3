import { describe, expect, it } from 'vitest';
import { isoMicros, MAX_PARTIAL_LINE, tapWriter } from '../../main/cli/tap-output';
import { writeEvent } from '../helpers/fake-engine';

function collect(format: 'raw' | 'text') {
  const chunks: Buffer[] = [];
  const writer = tapWriter(format, { write: (b) => chunks.push(Buffer.from(b)) });
  return { writer, output: () => Buffer.concat(chunks) };
}

const T = Date.UTC(2026, 11, 4, 10, 5, 15, 123) * 1000 + 456;

describe('tapWriter', () => {
  it('passes raw bytes through in write order, both streams interleaved', () => {
    const { writer, output } = collect('raw');
    const binary = Buffer.from([0, 255, 13, 10, 128]);

    writer.writes([writeEvent(1, 'a'), writeEvent(2, 'B'), writeEvent(1, binary)]);
    writer.end();

    expect(output()).toEqual(Buffer.concat([Buffer.from('aB'), binary]));
  });

  it('stamps each text line with the time of its first byte and its stream', () => {
    const { writer, output } = collect('text');

    writer.writes([writeEvent(1, 'hel', T), writeEvent(2, 'oops\n', T + 1)]);
    writer.writes([writeEvent(1, 'lo\nworld\npar', T + 2)]);
    writer.end();

    expect(output().toString()).toBe(
      [
        '2026-12-04T10:05:15.123457Z stderr oops',
        '2026-12-04T10:05:15.123456Z stdout hello',
        '2026-12-04T10:05:15.123458Z stdout world',
        '2026-12-04T10:05:15.123458Z stdout par',
        '',
      ].join('\n'),
    );
  });

  it('prints a partial line that grows past the bound without waiting for its newline', () => {
    const { writer, output } = collect('text');
    const piece = 'x'.repeat(MAX_PARTIAL_LINE / 4);

    for (let i = 0; i < 5; i++) writer.writes([writeEvent(1, piece, T)]);

    const lines = output().toString().split('\n');
    expect(lines.length).toBe(2);
    expect(lines[0].endsWith(' stdout ' + piece.repeat(4))).toBe(true);
  });
});

describe('isoMicros', () => {
  it('writes microseconds since the epoch as ISO 8601 UTC', () => {
    expect(isoMicros(T)).toBe('2026-12-04T10:05:15.123456Z');
  });
});
