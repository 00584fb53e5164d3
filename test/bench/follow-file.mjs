// Benchmark: follow-file against `tail -f`, on the same writer in the same run.
//   1. paced: a writer appends ~90-byte lines, one os.write each, every ~1 ms; follow-file and
//      `tail -f` (to /dev/null) follow it together. Prints follow-file's write-to-seen latency
//      (CLOCK_MONOTONIC stamped in each line by the writer vs when our sink got it) and each
//      follower's CPU time per second of writing.
//   2. flat out: the writer writes LINES lines as fast as it can, alone, under follow-file and
//      under `tail -f`; prints how long it took each time (the cost of wake-ups to the writer).
// Usage: node test/bench/follow-file.mjs [paced-seconds=5] [flat-out-lines=200000]
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const pacedSeconds = Number(process.argv[2] ?? 5);
const flatLines = Number(process.argv[3] ?? 200_000);
const root = new URL('../../', import.meta.url).pathname;
const { createFollowFileSource } = (
  await runnerImport(root + 'main/engine/capture/follow-file-source.ts')
).module;
const dir = mkdtempSync(join(tmpdir(), 'fdscope-bench-'));
const TICK_MS = 10; // USER_HZ

const WRITER = `
import os, sys, time
n, pause = int(sys.argv[1]), float(sys.argv[2])
while not os.path.exists(sys.argv[3]):
    time.sleep(0.01)
pad = 'x' * 60
t0 = time.monotonic()
for i in range(n):
    os.write(1, ('%d %d %s\\n' % (time.monotonic_ns(), i, pad)).encode())
    if pause:
        time.sleep(pause)
sys.stderr.write('%f\\n' % (time.monotonic() - t0))
`;

function startWriter(path, lines, pause, go) {
  const out = openSync(path, 'a');
  const child = spawn('python3', ['-c', WRITER, String(lines), String(pause), go], {
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve) => child.once('exit', () => resolve(Number(stderr))));
  return { child, done };
}

function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime + stime
}

function startTail(path) {
  const tail = spawn('tail', ['-f', '-n', '0', path], { stdio: ['ignore', 'ignore', 'inherit'] });
  return tail;
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

function latencySink(latencies) {
  let rest = '';
  return {
    notice() {},
    writes(events) {
      const seen = process.hrtime.bigint();
      for (const e of events) {
        const text = rest + e.bytes.toString('latin1');
        const lines = text.split('\n');
        rest = lines.pop();
        for (const line of lines) latencies.push(Number(seen - BigInt(line.split(' ')[0])) / 1000);
      }
    },
  };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** This node process's CPU per second while idle (timers, the module runner): the floor. */
async function idleCpuMsPerSecond() {
  const cpu0 = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000;
}

async function paced() {
  const idle = await idleCpuMsPerSecond();
  const path = join(dir, 'paced.log');
  const go = join(dir, 'go-paced');
  const lines = pacedSeconds * 1000;
  const writer = startWriter(path, lines, 0.001, go);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const tail = startTail(path);
  const latencies = [];
  const source = createFollowFileSource({ pid: writer.child.pid, fd: 1 });
  await source.start(latencySink(latencies));
  await new Promise((resolve) => setTimeout(resolve, 300));

  const cpu0 = process.cpuUsage();
  const tail0 = cpuMsOf(tail.pid);
  const t0 = performance.now();
  writeFileSync(go, '');
  const seconds = await writer.done;
  await source.ended;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const tailMs = cpuMsOf(tail.pid) - tail0;
  await stopChild(tail);

  latencies.sort((a, b) => a - b);
  const oursMs = (cpu.user + cpu.system) / 1000;
  console.log(`paced: ${latencies.length} of ${lines} lines seen in ${seconds.toFixed(2)} s`);
  console.log(
    `follow-file latency write->seen: p50 ${pct(latencies, 0.5).toFixed(0)} µs, ` +
      `p99 ${pct(latencies, 0.99).toFixed(0)} µs, max ${latencies.at(-1).toFixed(0)} µs`,
  );
  console.log(
    `CPU per second of writing: follow-file ${(oursMs / wall).toFixed(1)} ms ` +
      `(whole node process, incl. this bench's line parsing; idle ${idle.toFixed(1)} ms), ` +
      `tail -f ${(tailMs / wall).toFixed(1)} ms (10 ms ticks); ` +
      `ratio ${(oursMs / Math.max(tailMs, TICK_MS)).toFixed(2)}`,
  );
}

async function flatOut(follower) {
  const path = join(dir, `flat-${follower}.log`);
  const go = join(dir, `go-${follower}`);
  const writer = startWriter(path, flatLines, 0, go);
  await new Promise((resolve) => setTimeout(resolve, 300));
  let stop = async () => {};
  let cpuOf = () => 0;
  if (follower === 'follow-file') {
    const source = createFollowFileSource({ pid: writer.child.pid, fd: 1 });
    let bytes = 0;
    await source.start({
      notice() {},
      writes: (events) => events.forEach((e) => (bytes += e.full)),
    });
    const cpu0 = process.cpuUsage();
    cpuOf = () => {
      const cpu = process.cpuUsage(cpu0);
      return (cpu.user + cpu.system) / 1000;
    };
    stop = async () => void (await source.ended);
  } else if (follower === 'tail -f') {
    const tail = startTail(path);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const tail0 = cpuMsOf(tail.pid);
    cpuOf = () => cpuMsOf(tail.pid) - tail0;
    stop = () => stopChild(tail);
  }
  writeFileSync(go, '');
  const seconds = await writer.done;
  const cpuMs = cpuOf();
  await stop();
  return { seconds, cpuMs };
}

try {
  await paced();
  const alone = await flatOut('none');
  const ours = await flatOut('follow-file');
  const tail = await flatOut('tail -f');
  const rate = (r) => `${(flatLines / r.seconds / 1000).toFixed(0)}k lines/s`;
  console.log(`flat out, ${flatLines} lines: alone ${alone.seconds.toFixed(2)} s (${rate(alone)})`);
  for (const [name, r] of [
    ['follow-file', ours],
    ['tail -f', tail],
  ]) {
    console.log(
      `  under ${name}: ${r.seconds.toFixed(2)} s (${rate(r)}), writer slowed ` +
        `${(r.seconds / alone.seconds).toFixed(2)}x, follower CPU ${r.cpuMs.toFixed(0)} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
