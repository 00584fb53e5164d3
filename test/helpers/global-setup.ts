// Runs once before the suite: the suite needs strace and python3 on the machine.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  for (const tool of ['strace', 'python3']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not installed: run "bash .ci/deps" (as root) first`);
    }
  }
}
