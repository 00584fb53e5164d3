// What this machine lets fdscope do: who we are, whether strace is there, whether ptrace is.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { HostCapabilities } from '../../../preload/contract';
import { findProgram } from '../host/local-host';
import { silentLogger, type Logger } from '../log';
import { hasCapSysPtrace, parsePasswd, parseStatus, parseStraceVersion } from './proc-parse';

const YAMA_SCOPE = '/proc/sys/kernel/yama/ptrace_scope';

/** Reads this machine's capabilities; strace is run once for its version. */
export function readLocalCapabilities(logger: Logger = silentLogger): HostCapabilities {
  const uid = process.getuid?.() ?? -1;
  const status = parseStatus(readFileSync('/proc/self/status', 'utf8'));
  const strace = findProgram('strace');

  return {
    uid,
    user: readUsers().get(uid) ?? String(uid),
    isRoot: uid === 0,
    strace,
    straceVersion: strace ? straceVersion(strace, logger) : null,
    ptraceScope: readPtraceScope(),
    capSysPtrace: hasCapSysPtrace(status.capEff),
  };
}

/** uid → user name from /etc/passwd; empty when it cannot be read. */
export function readUsers(): Map<number, string> {
  try {
    return parsePasswd(readFileSync('/etc/passwd', 'utf8'));
  } catch {
    return new Map();
  }
}

/** kernel.yama.ptrace_scope, or null when Yama is not in this kernel. */
export function readPtraceScope(): number | null {
  // Without Yama only the classic rule applies: same uid, or CAP_SYS_PTRACE.
  if (!existsSync(YAMA_SCOPE)) return null;
  try {
    const scope = Number(readFileSync(YAMA_SCOPE, 'utf8').trim());
    return Number.isInteger(scope) ? scope : null;
  } catch {
    return null;
  }
}

function straceVersion(path: string, logger: Logger): string | null {
  const started = performance.now();
  try {
    const out = execFileSync(path, ['-V'], { encoding: 'utf8', timeout: 5000, stdio: 'pipe' });
    logger.debug('discovery', `ran ${path} -V`, { ms: Math.round(performance.now() - started) });
    return parseStraceVersion(out);
  } catch (error) {
    logger.warn('discovery', `${path} -V failed`, { error: String(error) });
    return null;
  }
}
