// Benchmark: what tracing costs a writer, and how fast the strace parser is.
//   1. overhead: a C writer writes SIZE-byte blocks to /dev/null flat out, printing its rate
//      every 250 ms. In one run it goes untraced, then under `strace` with the capture's flags
//      (-o /dev/null), then under our TraceSource (parsing, events to a counting sink), with
//      pauses between. Prints the median rate of each phase and the ratios.
//   2. parser: PARSE_MB of generated strace output (short lines, 4 KiB blocks, writes in two
//      halves) in a file: reading it alone vs reading and parsing it, in MB/s of input.
// Medians of RUNS runs. Usage: node test/bench/trace-overhead.mjs [RUNS=5] [PARSE_MB=200]
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const runs = Number(process.argv[2] ?? 5);
const parseMb = Number(process.argv[3] ?? 200);
const root = new URL('../../', import.meta.url).pathname;
const load = async (path) => (await runnerImport(root + path)).module;
const { createTraceSource } = await load('main/engine/capture/trace-source.ts');
const { buildStraceArgs } = await load('main/engine/capture/strace-args.ts');
const { StraceParser } = await load('main/engine/capture/strace-parser.ts');
const { createLocalHost } = await load('main/engine/host/local-host.ts');
const dir = mkdtempSync(join(tmpdir(), 'fdscope-bench-'));

const WRITER = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9;
}
int main(int argc, char **argv) {
  size_t size = atoi(argv[1]); double seconds = atof(argv[2]);
  char *buf = malloc(size); memset(buf, 'a', size); buf[size - 1] = '\\n';
  double start = now(), mark = start; long calls = 0;
  while (mark - start < seconds) {
    for (int i = 0; i < 16; i++) { write(1, buf, size); calls++; }
    double t = now();
    if (t - mark >= 0.25) {
      fprintf(stderr, "%.3f %.1f\\n", t - start, calls / (t - mark)); calls = 0; mark = t;
    }
  }
  return 0;
}
`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function compile() {
  writeFileSync(join(dir, 'writer.c'), WRITER);
  execFileSync('cc', ['-O2', '-o', join(dir, 'writer'), join(dir, 'writer.c')]);
  return join(dir, 'writer');
}

// One writer, three phases of PHASE seconds with a second of rest between: the rates of the
// intervals that lie wholly inside each phase.
async function overheadRun(writer, size) {
  const PHASE = 3;
  const child = spawn(writer, [String(size), String(PHASE * 3 + 3)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const samples = [];
  let text = '';
  child.stderr.on('data', (d) => {
    text += d;
    const lines = text.split('\n');
    text = lines.pop();
    for (const line of lines) {
      const [t, rate] = line.split(' ').map(Number);
      samples.push({ t, rate });
    }
  });
  const t0 = performance.now();
  const at = () => (performance.now() - t0) / 1000;
  const phases = {};
  const phase = async (name, body) => {
    const start = at();
    await body();
    phases[name] = [start + 0.3, at()];
  };

  await phase('alone', () => sleep(PHASE * 1000));
  await sleep(500);
  await phase('strace', async () => {
    const args = buildStraceArgs({ strace: 'strace', pid: child.pid });
    const argv = [...args.slice(1, args.indexOf('-o')), '-o', '/dev/null', '-p', String(child.pid)];
    const strace = spawn('strace', argv, { stdio: 'ignore' });
    await sleep(PHASE * 1000);
    strace.kill('SIGINT');
    await new Promise((resolve) => strace.once('close', resolve));
  });
  await sleep(500);
  let events = 0;
  await phase('trace-source', async () => {
    const source = createTraceSource({
      host: createLocalHost(),
      pid: child.pid,
      fds: [1],
      strace: 'strace',
    });
    await source.start({ writes: (batch) => (events += batch.length), notice: () => {} });
    await sleep(PHASE * 1000);
    await source.stop();
  });
  await new Promise((resolve) => child.once('close', resolve));

  const rate = ([from, to]) =>
    median(samples.filter((s) => s.t > from && s.t < to).map((s) => s.rate));
  return {
    alone: rate(phases.alone),
    strace: rate(phases.strace),
    ours: rate(phases['trace-source']),
    events,
  };
}

function generateLog(path, megabytes) {
  const block = 'x'.repeat(4095);
  const parts = [];
  let size = 0;
  for (let n = 0; size < 4 * 1024 * 1024; n++) {
    const pid = 4000 + (n % 4);
    const t = `1796379555.${String(n % 1_000_000).padStart(6, '0')}`;
    let line;
    if (n % 50 === 0) line = `${pid}  ${t} write(1<pipe:[102444]>, "${block}\\n", 4096) = 4096\n`;
    else if (n % 10 === 0) {
      line =
        `${pid}  ${t} write(1<pipe:[102444]>, "${String(n).padStart(6, '0')} half\\n", 12` +
        ` <unfinished ...>\n${pid}  ${t} <... write resumed>) = 12\n`;
    } else {
      const num = String(n).padStart(6, '0');
      const text = `${num} ${t} some text of a log line\\t\\"q\\" \\xe2\\x94\\x80`;
      line = `${pid}  ${t} write(1<pipe:[102444]>, "${text}\\n", 70) = 70\n`;
    }
    parts.push(line);
    size += line.length;
  }
  const chunk = Buffer.from(parts.join(''));
  const copies = Math.ceil((megabytes * 1024 * 1024) / chunk.length);
  writeFileSync(path, Buffer.concat(Array(copies).fill(chunk)));
  return copies * chunk.length;
}

async function readThrough(path, onChunk) {
  const start = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    bytes += chunk.length;
    onChunk(chunk);
  }
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

const writer = compile();
try {
  for (const size of [80, 65536]) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await overheadRun(writer, size));
    const m = (key) => median(results.map((r) => r[key]));
    const mbps = (calls) => ((calls * size) / 1e6).toFixed(1);
    console.log(`writer of ${size}-byte writes to /dev/null (medians of ${runs} runs):`);
    console.log(`  alone         ${m('alone').toFixed(0)} calls/s  ${mbps(m('alone'))} MB/s`);
    console.log(`  strace        ${m('strace').toFixed(0)} calls/s  ${mbps(m('strace'))} MB/s`);
    console.log(`  TraceSource   ${m('ours').toFixed(0)} calls/s  ${mbps(m('ours'))} MB/s`);
    const ratio = (a, b) => (m(a) / m(b)).toFixed(2);
    console.log(
      `  slowdown: strace ${ratio('alone', 'strace')}x, TraceSource ${ratio('alone', 'ours')}x;` +
        ` TraceSource runs the writer at ${ratio('ours', 'strace')} of strace's rate`,
    );
  }

  const log = join(dir, 'trace.log');
  const total = generateLog(log, parseMb);
  const read = [];
  const parsed = [];
  const followed = [];
  let events = 0;
  for (let i = 0; i < runs; i++) {
    read.push(await readThrough(log, () => {}));
    const parser = new StraceParser({ fds: [1], defaultPid: 4000 });
    parsed.push(await readThrough(log, (chunk) => (events = parser.push(chunk).writes.length)));
    // As a capture runs it: writes taken by their target, from any of the four processes.
    const stream = new StraceParser({
      fds: [1],
      defaultPid: 4000,
      targets: new Map([[1, 'pipe:[102444]']]),
      isOwner: (pid) => pid === 4000,
    });
    followed.push(await readThrough(log, (chunk) => (events = stream.push(chunk).writes.length)));
  }
  console.log(`parser on ${(total / 1e6).toFixed(0)} MB of generated strace output (medians):`);
  console.log(`  read only        ${median(read).toFixed(0)} MB/s`);
  const share = (values) => (median(values) / median(read)).toFixed(2);
  const rate = (values) => `${median(values).toFixed(0)} MB/s  (${share(values)} of reading)`;
  console.log(`  read and parse   ${rate(parsed)}`);
  console.log(`  by stream target ${rate(followed)}`);
  void events;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
