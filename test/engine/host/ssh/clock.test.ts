import { describe, expect, it } from 'vitest';
import { parseEpoch } from '../../../../main/engine/host/ssh/clock';

describe("reading a remote host's clock", () => {
  it('reads date +%s.%N, and whole seconds where %N is not supported (busybox)', () => {
    expect(parseEpoch('1700000000.250000000')).toBe(1_700_000_000_250);
    expect(parseEpoch('1700000000.N')).toBe(1_700_000_000_000);
    expect(parseEpoch('1700000000')).toBe(1_700_000_000_000);
    expect(parseEpoch('date: invalid format')).toBeNull();
  });
});
