import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLocalCapabilities } from '../../../main/engine/discovery/capabilities';

describe('readLocalCapabilities', () => {
  it('reports who fdscope runs as, and where strace is with its version', () => {
    const caps = readLocalCapabilities();

    expect(caps.uid).toBe(process.getuid!());
    expect(caps.isRoot).toBe(caps.uid === 0);
    expect(caps.user).not.toBe('');
    expect(caps.strace).toMatch(/\/strace$/);
    expect(caps.straceVersion).toMatch(/^\d+\.\d+/);
  });

  it('reads ptrace_scope from Yama, or null where the kernel has no Yama', () => {
    const path = '/proc/sys/kernel/yama/ptrace_scope';

    const caps = readLocalCapabilities();

    const expected = existsSync(path) ? Number(readFileSync(path, 'utf8')) : null;
    expect(caps.ptraceScope).toBe(expected);
  });

  it('takes CAP_SYS_PTRACE from bit 19 of our own CapEff', () => {
    const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))!;

    const caps = readLocalCapabilities();

    expect(caps.capSysPtrace).toBe(((BigInt('0x' + capEff[1]) >> 19n) & 1n) === 1n);
  });
});
