// Re-records the discovery goldens: the script's real output, in a PID namespace of its own
// holding a few known processes, run once by dash and once with busybox's tools alone.
// Usage (as root, busybox installed): node test/golden/discovery/record.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const here = new URL('../../../', import.meta.url).pathname;
const { discoveryScript } = (await runnerImport(here + 'main/engine/discovery/remote-script.ts'))
  .module;
const nonce = 'golden0nonce';
const dir = mkdtempSync(join(tmpdir(), 'fdscope-golden-'));
const bb = join(dir, 'bb');
execFileSync('mkdir', [bb]);
for (const applet of execFileSync('busybox', ['--list'], { encoding: 'utf8' }).split('\n')) {
  if (applet) symlinkSync(execFileSync('sh', ['-c', 'command -v busybox']).toString().trim(),
    join(bb, applet));
}
writeFileSync(join(dir, 'script.sh'), discoveryScript(nonce));

// pid 1: this sh; then a pipeline (sleep | cat), a file writer, and a python with an odd comm
// and command line.
const scenario = `
sleep 60 | cat > /dev/null &
sleep 60 > "$D/file.log" &
python3 -c 'import time
open("/proc/self/comm", "w").write("we) ird\\nname")
time.sleep(60)' 'arg with space' 'new
line' &
sleep 0.5
sh "$D/script.sh" > "$D/dash.out"
env -i PATH="$D/bb" sh "$D/script.sh" > "$D/busybox.out"
kill $(jobs -p) 2>/dev/null
wait
`;
execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', scenario], {
  env: { ...process.env, D: dir },
  stdio: 'inherit',
});
for (const name of ['dash.out', 'busybox.out']) {
  execFileSync('cp', [join(dir, name), join(here, 'test/golden/discovery', name)]);
}
rmSync(dir, { recursive: true, force: true });
console.log('recorded dash.out and busybox.out');
