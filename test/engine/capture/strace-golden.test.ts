// The parser against strace output recorded from real writers (test/golden/strace). Each
// recording keeps what the writer's pipe reader got, so the parse is checked against the bytes
// really written, not only against an earlier parse.
//
// To record again (after a change of flags or of strace):
//   UPDATE_GOLDEN=1 npx vitest run test/engine/capture/strace-golden.test.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStraceArgs } from '../../../main/engine/capture/strace-args';
import { StraceParser, type ParseBatch } from '../../../main/engine/capture/strace-parser';
import { compileC, pythonPath } from '../../helpers/writers';

const GOLDEN = 'test/golden/strace';
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const SCRATCH = '/tmp/fdscope-golden';

// Default buffering: PYTHON* variables are left out of the writer's environment.
const PYTHON_BLOCK = `
import time
for n in range(300):
    print("%06d %s" % (n, "y" * 50))
    time.sleep(0.001)
`;

interface Scenario {
  name: string;
  argv: () => string[];
  /** The pipe's reader: a shell command reading stdin to stdout. */
  reader?: string;
  stringLimit?: number;
  /** Threads write concurrently: bytes keep their order only within each thread. */
  perThread?: boolean;
}

const cWriter = () => compileC(readFileSync(join(GOLDEN, 'scenarios.c'), 'utf8'));
const SCENARIOS: Scenario[] = [
  { name: 'calls', argv: () => [cWriter(), 'calls', SCRATCH] },
  { name: 'threads', argv: () => [cWriter(), 'threads'], perThread: true },
  { name: 'nonblock', argv: () => [cWriter(), 'nonblock'], reader: '{ sleep 1; cat; }' },
  { name: 'big', argv: () => [cWriter(), 'big'] },
  { name: 'cut', argv: () => [cWriter(), 'big'], stringLimit: 100 },
  { name: 'killed', argv: () => [cWriter(), 'killed'] },
  { name: 'python-block', argv: () => [pythonPath(), '-c', PYTHON_BLOCK] },
];

interface Golden {
  fds: number[];
  defaultPid: number;
  batch: SerializedBatch;
}

type SerializedBatch = ReturnType<typeof serialize>;

/** Events as stored: bytes as latin1 text, which JSON keeps exactly. */
function serialize(batch: ParseBatch) {
  return {
    writes: batch.writes.map((w) => ({ ...w, bytes: w.bytes.toString('latin1') })),
    exits: batch.exits,
  };
}

function parseAll(trace: Buffer, fds: number[], defaultPid: number): ParseBatch {
  const parser = new StraceParser({ fds, defaultPid });
  const first = parser.push(trace);
  const last = parser.end();
  return {
    writes: [...first.writes, ...last.writes],
    exits: [...first.exits, ...last.exits],
    changes: [...first.changes, ...last.changes],
    execs: [...first.execs, ...last.execs],
  };
}

// Runs the scenario under strace with the capture's own flags, its stdout a real pipe into the
// reader, and returns the trace and what the reader got.
function record(scenario: Scenario): { trace: Buffer; written: Buffer } {
  rmSync(SCRATCH, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
  const traceFile = join(SCRATCH, 'trace');
  const args = buildStraceArgs({ strace: 'strace', pid: 1, stringLimit: scenario.stringLimit });
  const flags = args.slice(1, args.indexOf('-o'));
  const script = `"$@" | ${scenario.reader ?? 'cat'}`;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const written = execFileSync(
    'sh',
    ['-c', script, 'sh', 'strace', ...flags, '-o', traceFile, '--', ...scenario.argv()],
    { env, maxBuffer: 64 * 1024 * 1024 },
  );
  return { trace: readFileSync(traceFile), written };
}

// Every traced byte sits where the reader got it, the bytes strace could not show are counted,
// and together they account for everything the reader got.
function expectAccountsFor(batch: ParseBatch, written: Buffer, perThread: boolean): void {
  const fd1 = batch.writes.filter((w) => w.fd === 1);
  if (perThread) {
    const lines = (b: Buffer) => b.toString('latin1').split('\n').filter(Boolean).sort();
    expect(lines(Buffer.concat(fd1.map((w) => w.bytes)))).toEqual(lines(written));
    return;
  }
  let offset = 0;
  for (const w of fd1) {
    expect(w.bytes.equals(written.subarray(offset, offset + w.bytes.length))).toBe(true);
    offset += w.full;
  }
  expect(offset).toBe(written.length);
}

describe.each(SCENARIOS)('parser on the recorded "$name" trace', (scenario) => {
  const base = join(GOLDEN, scenario.name);

  it('accounts for every byte the reader got and matches the golden events', () => {
    if (UPDATE) {
      const { trace, written } = record(scenario);
      const fds = [
        ...new Set([...trace.toString('latin1').matchAll(/\((\d+)</g)].map((m) => +m[1])),
      ];
      const defaultPid = Number.parseInt(trace.toString('latin1'), 10);
      const golden: Golden = {
        fds,
        defaultPid,
        batch: serialize(parseAll(trace, fds, defaultPid)),
      };
      writeFileSync(`${base}.strace`, trace);
      writeFileSync(`${base}.written`, written);
      writeFileSync(`${base}.json`, JSON.stringify(golden, null, 1) + '\n');
    }
    const trace = readFileSync(`${base}.strace`);
    const written = readFileSync(`${base}.written`);
    const golden = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Golden;

    const batch = parseAll(trace, golden.fds, golden.defaultPid);

    expectAccountsFor(batch, written, scenario.perThread === true);
    expect(serialize(batch)).toEqual(golden.batch);
  });
});
