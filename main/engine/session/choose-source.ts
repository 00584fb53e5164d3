// Turns a start request into the capture source that fits the target's fds,
// refusing early, with the reason, what cannot work.
import type {
  HostCapabilities,
  MethodName,
  ProcessInfo,
  StartRequest,
} from '../../../preload/contract';
import { createFollowFileSource } from '../capture/follow-file-source';
import { createReadPipeSource } from '../capture/read-pipe-source';
import { remoteSources } from '../capture/remote-sources';
import type { CaptureSource } from '../capture/source';
import { createTraceSource } from '../capture/trace-source';
import { traceRefusal } from '../discovery/methods';
import { asRoot, needsRoot } from '../discovery/sudo-methods';
import { FdscopeError } from '../errors';
import type { Host } from '../host/host';
import type { Logger } from '../log';
import { fileThenTrace } from './file-then-trace';
import { mergeSources } from './merged-source';
import { isSshHost, remoteCapture } from './remote-capture';

/** The method a request resolves to for this process. */
export function resolveMethod(proc: ProcessInfo, req: StartRequest): MethodName {
  if (req.method !== 'auto') return req.method;
  // One capture has one method: follow-file only when every chosen fd is a file.
  const picks = req.fds.map((fd) => proc.methods[String(fd) as '1' | '2'].method);
  if (picks.every((m) => m === 'file')) return 'file';
  // Tracing needs no fd target (strace names it); one that is known to be closed has nothing.
  const closed = proc.fds.find((t) => req.fds.includes(t.fd) && t.kind === 'closed');
  if (closed) throw unable(proc.pid, 'not-capturable', `fd ${closed.fd} is closed`);
  return 'trace';
}

/** Builds the source for a request, or throws an FdscopeError saying why it cannot. */
export function chooseSource(
  proc: ProcessInfo,
  caps: HostCapabilities,
  req: StartRequest,
  host: Host,
  logger: Logger,
): CaptureSource {
  const method = resolveMethod(proc, req);
  if (isSshHost(host)) {
    const make = () => makeSource(proc, caps, req, host, logger, method);
    return remoteCapture(host, method, proc, caps, req, make, logger);
  }
  return makeSource(proc, caps, req, host, logger, method);
}

/** The source for a method, made afresh each time (a resumed capture makes another). */
function makeSource(
  proc: ProcessInfo,
  caps: HostCapabilities,
  req: StartRequest,
  host: Host,
  logger: Logger,
  method: MethodName,
): CaptureSource {
  if (method === 'trace') {
    // Over SSH another user's process is traced as root, through sudo on the host; sudo's own
    // refusal (no sudo, not allowed, wrong password) then says what is missing.
    const privileged = viaSudo(host, proc, caps);
    const refusal = traceRefusal(proc, privileged ? asRoot(caps) : caps);
    if (refusal) throw unable(proc.pid, refusal.code, refusal.reason);
    const strace = caps.strace!;
    return createTraceSource({ host, pid: proc.pid, fds: req.fds, strace, logger, privileged });
  }
  for (const fd of req.fds) checkFits(proc, fd, method);
  if (host.info.kind !== 'local') {
    return mergeSources(remoteSources(method, proc, caps, req, host, logger));
  }
  if (method === 'file') {
    const parts = req.fds.map((fd) =>
      createFollowFileSource({ pid: proc.pid, fd, fromStart: req.fromStart, logger }),
    );
    // Should a followed fd move to a pipe, socket or terminal, tracing takes over.
    return fileThenTrace(parts, {
      trace: () => {
        const refusal = traceRefusal(proc, caps);
        if (refusal) throw unable(proc.pid, refusal.code, refusal.reason);
        return createTraceSource({
          host,
          pid: proc.pid,
          fds: req.fds,
          strace: caps.strace!,
          logger,
        });
      },
    });
  }
  return mergeSources(
    req.fds.map((fd) =>
      createReadPipeSource({ pid: proc.pid, fd, confirmed: req.confirmPipe === true, logger }),
    ),
  );
}

/** Whether tracing this process on this host goes through sudo. */
export function viaSudo(host: Host, proc: ProcessInfo, caps: HostCapabilities): boolean {
  return host.info.kind === 'ssh' && needsRoot(proc, caps);
}

function checkFits(proc: ProcessInfo, fd: number, method: 'file' | 'pipe'): void {
  const target = targetOf(proc, fd);
  const fits = method === 'file' ? ['file', 'deleted'] : ['pipe'];
  if (!fits.includes(target.kind)) {
    const what = method === 'file' ? 'follow-file needs a regular file' : 'read-pipe needs a pipe';
    throw unable(
      proc.pid,
      'method-unavailable',
      `${what}, and fd ${fd} is ${target.kind} (${target.link})`,
      'choose trace (or auto)',
    );
  }
  if (proc.unreadable)
    throw unable(proc.pid, 'method-unavailable', `fds not readable: ${proc.unreadable}`);
}

function targetOf(proc: ProcessInfo, fd: number) {
  const target = proc.fds.find((t) => t.fd === fd);
  if (!target)
    throw unable(
      proc.pid,
      'method-unavailable',
      `fd ${fd} could not be read: ${proc.unreadable ?? 'unknown'}`,
    );
  return target;
}

function unable(
  pid: number,
  code: FdscopeError['code'],
  reason: string,
  help?: string,
): FdscopeError {
  return new FdscopeError(code, `unable to capture pid ${pid}`, { reason, help });
}
