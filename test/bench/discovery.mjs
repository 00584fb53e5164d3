// Benchmark: what one scan of /proc costs per process (listLocalProcesses), with a few hundred
// extra sleeping targets so the figure is not dominated by the fixed costs of a scan.
// Usage: node test/bench/discovery.mjs [extra-processes=300] [runs=15]
import { spawn } from 'node:child_process';
import { runnerImport } from 'vite';

const extra = Number(process.argv[2] ?? 300);
const runs = Number(process.argv[3] ?? 15);
const here = new URL('../../', import.meta.url).pathname;
const load = async (path) => (await runnerImport(here + path)).module;

const { listLocalProcesses } = await load('main/engine/discovery/local-discovery.ts');
const { readLocalCapabilities } = await load('main/engine/discovery/capabilities.ts');
const { pipeReaders } = await load('main/engine/discovery/local-fds.ts');

// Half the extra targets write into pipelines, so the scan also has pipe readers to find.
const children = [];
for (let i = 0; i < extra; i++) {
  const argv = i % 2 ? ['sleep', '600'] : ['sh', '-c', 'sleep 600 | sleep 600'];
  children.push(spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: true }));
}
await new Promise((resolve) => setTimeout(resolve, 1000));

try {
  const caps = readLocalCapabilities();
  for (let i = 0; i < 3; i++) listLocalProcesses(caps); // warm up

  const perProcess = [];
  let count = 0;
  let processes = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    processes = listLocalProcesses(caps).processes;
    const ms = performance.now() - t0;
    count = processes.length;
    perProcess.push((ms * 1000) / processes.length);
  }
  perProcess.sort((a, b) => a - b);
  const median = perProcess[Math.floor(perProcess.length / 2)];
  const fmt = (us) => us.toFixed(1);
  console.log(`processes per scan: ${count} (kernel threads left out), runs: ${runs}`);
  console.log(
    `scan cost: median ${fmt(median)} µs/process ` +
      `(min ${fmt(perProcess[0])}, max ${fmt(perProcess.at(-1))}); ` +
      `a whole scan ${((median * count) / 1000).toFixed(1)} ms`,
  );
  // The pipe-reader pass reads every fd of every process: show its share on its own.
  const pids = processes.map((p) => p.pid);
  const wanted = new Set(
    processes.flatMap((p) => p.fds.filter((f) => f.kind === 'pipe').map((f) => f.inode)),
  );
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) pipeReaders(wanted, pids, new Map());
  const readersUs = ((performance.now() - t0) * 1000) / runs / count;
  console.log(
    `of which the pipe-reader pass (all fds of all processes): ${fmt(readersUs)} µs/process`,
  );
  console.log('design figure for comparison: 76-114 µs/process with synchronous calls');
} finally {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
