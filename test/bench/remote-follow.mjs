// Benchmark: the remote follow-file loop (remote-follow-script.ts) run here through sh, with
// GNU tools and with busybox's alone: what it costs the host while the file is idle (CPU per
// second, from the loop's reaped children), and the delay from a write to its arrival.
// Usage: node test/bench/remote-follow.mjs [idle-seconds=5] [writes=100]
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const idleSeconds = Number(process.argv[2] ?? 5);
const writes = Number(process.argv[3] ?? 100);
const here = new URL('../../', import.meta.url).pathname;
const load = async (path) => (await runnerImport(here + path)).module;
const { createRemoteFollowSource } = await load('main/engine/capture/remote-follow-source.ts');
const { createLocalHost } = await load('main/engine/host/local-host.ts');
const { createCommandHost } = await load('main/engine/host/command-host.ts');

const dir = mkdtempSync(join(tmpdir(), 'fdscope-bench-follow-'));
const bb = join(dir, 'bb');
execFileSync('mkdir', [bb]);
const busybox = execFileSync('sh', ['-c', 'command -v busybox']).toString().trim();
for (const applet of execFileSync(busybox, ['--list']).toString().split('\n').filter(Boolean)) {
  symlinkSync(busybox, join(bb, applet));
}

/** CPU time (ms) of this process's reaped children, from /proc/self/stat (cutime + cstime). */
function childrenCpuMs() {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function measure(name, host) {
  const file = join(dir, `${name}.log`);
  writeFileSync(file, '');
  // The target holds the file on its fd 1 and does nothing else.
  const target = spawn('sh', ['-c', `exec >>"${file}"; exec sleep 600`], { stdio: 'ignore' });
  await sleep(200);
  const cpu0 = childrenCpuMs();
  const source = createRemoteFollowSource({ host, pid: target.pid, fd: 1 });
  const arrivals = [];
  await source.start({
    writes: (events) => {
      for (const e of events) arrivals.push({ at: performance.now(), n: e.bytes.length });
    },
    notice: () => {},
  });
  await sleep(idleSeconds * 1000);

  const delays = [];
  for (let i = 0; i < writes; i++) {
    const before = arrivals.length;
    const t0 = performance.now();
    appendFileSync(file, `line ${i}\n`);
    while (arrivals.length === before) await sleep(1);
    delays.push(arrivals.at(-1).at - t0);
    await sleep(Math.random() * 30);
  }
  await source.stop();
  target.kill('SIGKILL');
  await sleep(100);
  const cpu = childrenCpuMs() - cpu0;
  delays.sort((a, b) => a - b);
  const q = (p) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))].toFixed(1);
  const seconds = idleSeconds + delays.reduce((a, b) => a + b, 0) / 1000;
  console.log(
    `${name}: loop CPU ${(cpu / seconds).toFixed(1)} ms per second of following ` +
      `(mostly idle); write-to-arrival median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms`,
  );
}

try {
  await measure('GNU tools through dash', createLocalHost());
  await measure(
    'busybox applets only',
    createCommandHost(['env', '-i', `PATH=${bb}`], { id: 'b' }),
  );
  console.log(
    'the loop sleeps 0.1 s when idle; locally, follow-file is inotify-driven (p99 ~0.2 ms)',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
