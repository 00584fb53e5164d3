// The processes of a host reached through the Host interface (SSH, a command wrapper): one
// run of the discovery script, parsed into what local discovery gives.
import { hostError, runOptions } from '../host/host-command';
import { randomBytes } from 'node:crypto';
import type { HostCapabilities, ProcessInfo } from '../../../preload/contract';
import { FdscopeError } from '../errors';
import type { Host } from '../host/host';
import { silentLogger, type Logger } from '../log';
import { DiscoveryOutputError, parseDiscovery, type RemoteScan } from './remote-parse';
import { discoveryScript } from './remote-script';

export interface RemoteDiscoveryOptions {
  logger?: Logger;
  /** Run the script as root (the host prefixes its elevation, e.g. sudo -n). */
  privileged?: boolean;
  /** Give up after this long: ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const STDERR_KEEP = 16 * 1024;

/** Runs the discovery script on a host and parses what it printed. */
export async function scanRemoteHost(
  host: Host,
  options: RemoteDiscoveryOptions = {},
): Promise<RemoteScan> {
  const logger = options.logger ?? silentLogger;
  const nonce = randomBytes(12).toString('hex');
  const started = performance.now();
  // With a stdin of its own, a command host runs the script as it is, without its guard (which
  // would show in the list); the script ends by itself.
  const proc = host.spawn(['sh', '-c', discoveryScript(nonce)], runOptions(options.privileged));
  proc.stdin?.on('error', () => undefined);
  proc.stdin?.end();
  const chunks: Buffer[] = [];
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (text: string) => {
    if (stderr.length < STDERR_KEEP) stderr += text;
  });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const status = await proc.exited.finally(() => clearTimeout(timer));
  const output = Buffer.concat(chunks);
  const ms = Math.round(performance.now() - started);
  logger.debug('discovery', `scanned ${host.info.label}`, { ms, bytes: output.length });

  try {
    return parseDiscovery(output, nonce);
  } catch (error) {
    if (!(error instanceof DiscoveryOutputError)) throw error;
    const failed = hostError(proc);
    if (failed) throw failed;
    const how = status.signal ? `was killed by ${status.signal}` : `exited with ${status.code}`;
    const timedOut = status.signal === 'SIGKILL' && ms >= timeoutMs;
    throw new FdscopeError('io', `unable to list the processes of ${host.info.label}`, {
      reason: timedOut
        ? `the discovery script did not finish within ${timeoutMs / 1000} s`
        : `the discovery script ${how} before it finished (${error.message})`,
      help: 'check that the host runs Linux with /proc and a POSIX sh, and that it is reachable',
      details: stderr.trim().split('\n').slice(-20).join('\n'),
      cause: error,
    });
  }
}

/** Lists a host's processes, as listLocalProcesses does for this machine. */
export async function listRemoteProcesses(
  host: Host,
  options: RemoteDiscoveryOptions = {},
): Promise<{ capabilities: HostCapabilities; processes: ProcessInfo[] }> {
  const scan = await scanRemoteHost(host, options);
  return { capabilities: scan.capabilities, processes: scan.processes };
}

/** One process of a host, with the host's capabilities; 'no-such-process' when it is absent. */
export async function getRemoteProcess(
  host: Host,
  pid: number,
  options: RemoteDiscoveryOptions = {},
): Promise<{ capabilities: HostCapabilities; process: ProcessInfo }> {
  const scan = await scanRemoteHost(host, options);
  const found = scan.processes.find((one) => one.pid === pid);
  if (!found) {
    throw new FdscopeError('no-such-process', `unable to find process ${pid}`, {
      reason: `no such process on ${host.info.label}`,
      help: 'it may have exited; refresh the process list',
    });
  }
  return { capabilities: scan.capabilities, process: found };
}
