// fdscope ps: the processes of this machine, as a table or JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostIdFor, type HostOption } from './host-option';
import { answerPrompts, cliLogger, type CliRuntime } from './runtime';
import { capabilitiesLine, formatProcessTable } from './ps-table';

/** Runs fdscope ps; resolves with the exit status (failures are thrown). */
export async function runPs(
  json: boolean,
  runtime: CliRuntime,
  host: HostOption = { kind: 'local' },
): Promise<number> {
  // Listing stores nothing, but the engine wants a data folder of its own.
  const dataDir = mkdtempSync(join(tmpdir(), 'fdscope-ps-'));
  const engine = runtime.createEngine({ dataDir, logger: cliLogger(runtime) });
  const stopAnswering = answerPrompts(engine, runtime);
  try {
    const hostId = await hostIdFor(engine, host);
    const list = await engine.handle('processes:list', { hostId });
    if (json) {
      runtime.stdout.write(JSON.stringify(list, null, 2) + '\n');
    } else {
      const processes = [...list.processes].sort((a, b) => a.pid - b.pid);
      runtime.stdout.write(formatProcessTable(processes, runtime.columns ?? 120));
      runtime.stderr.write(capabilitiesLine(list.capabilities) + '\n');
    }
    return 0;
  } finally {
    stopAnswering();
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
