// Benchmark: the remote discovery script (one round trip, run here through sh, and through
// busybox's applets alone) against local discovery, per process, with a few hundred extra
// sleeping targets so the fixed costs of a scan do not dominate.
// Usage: node test/bench/remote-discovery.mjs [extra-processes=300] [runs=9]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const extra = Number(process.argv[2] ?? 300);
const runs = Number(process.argv[3] ?? 9);
const here = new URL('../../', import.meta.url).pathname;
const load = async (path) => (await runnerImport(here + path)).module;

const { listLocalProcesses } = await load('main/engine/discovery/local-discovery.ts');
const { readLocalCapabilities } = await load('main/engine/discovery/capabilities.ts');
const { listRemoteProcesses } = await load('main/engine/discovery/remote-discovery.ts');
const { createLocalHost } = await load('main/engine/host/local-host.ts');
const { createCommandHost } = await load('main/engine/host/command-host.ts');

const bb = mkdtempSync(join(tmpdir(), 'fdscope-bench-bb-'));
const busybox = execFileSync('sh', ['-c', 'command -v busybox']).toString().trim();
for (const applet of execFileSync(busybox, ['--list']).toString().split('\n').filter(Boolean)) {
  symlinkSync(busybox, join(bb, applet));
}

const children = [];
for (let i = 0; i < extra; i++) {
  const argv = i % 2 ? ['sleep', '600'] : ['sh', '-c', 'sleep 600 | sleep 600'];
  children.push(spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: true }));
}
await new Promise((resolve) => setTimeout(resolve, 1000));

async function measure(name, scan) {
  for (let i = 0; i < 2; i++) await scan(); // warm up
  const perProcess = [];
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const processes = (await scan()).processes;
    const ms = performance.now() - t0;
    count = processes.length;
    perProcess.push((ms * 1000) / count);
  }
  perProcess.sort((a, b) => a - b);
  const median = perProcess[Math.floor(perProcess.length / 2)];
  console.log(
    `${name}: median ${median.toFixed(1)} µs/process ` +
      `(min ${perProcess[0].toFixed(1)}, max ${perProcess.at(-1).toFixed(1)}), ` +
      `${count} processes, a whole scan ${((median * count) / 1000).toFixed(1)} ms`,
  );
  return median;
}

try {
  const caps = readLocalCapabilities();
  const local = await measure('local discovery (sync /proc reads)', async () =>
    listLocalProcesses(caps),
  );
  const dash = await measure('remote script through sh (dash), parsed', () =>
    listRemoteProcesses(createLocalHost()),
  );
  const bbHost = createCommandHost(['env', '-i', `PATH=${bb}`], { id: 'bb' });
  const viaBusybox = await measure('remote script with busybox applets only, parsed', () =>
    listRemoteProcesses(bbHost),
  );
  console.log(
    `ratio to local: sh ${(dash / local).toFixed(2)}x, busybox ${(viaBusybox / local).toFixed(2)}x`,
  );
} finally {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(bb, { recursive: true, force: true });
}
