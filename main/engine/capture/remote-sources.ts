// The follow-file and read-pipe sources for a host other than this machine, one per fd;
// trace needs no counterpart, since it already runs strace through the host.
import type { HostCapabilities, ProcessInfo, StartRequest } from '../../../preload/contract';
import type { Host } from '../host/host';
import type { Logger } from '../log';
import { needsRoot } from '../discovery/sudo-methods';
import { createRemoteFollowSource, type RemoteFollowSource } from './remote-follow-source';
import { createRemoteReadPipeSource } from './remote-read-pipe-source';
import type { CaptureSource } from './source';

/** Builds the sources (one per fd) of a checked 'file' or 'pipe' request on a remote host. */
export function remoteSources(
  method: 'file' | 'pipe',
  proc: ProcessInfo,
  caps: HostCapabilities,
  req: StartRequest,
  host: Host,
  logger: Logger,
): CaptureSource[] {
  // Another user's process needs root to open its fds; the host elevates when it can.
  const privileged = needsRoot(proc, caps);
  const { pid } = proc;
  if (method === 'file') return [...remoteFollows(proc, caps, req, host, logger).values()];
  return req.fds.map((fd) =>
    createRemoteReadPipeSource({
      host,
      pid,
      fd,
      target: proc.fds.find((t) => t.fd === fd)!,
      confirmed: req.confirmPipe === true,
      privileged,
      logger,
    }),
  );
}

/**
 * One follow-file source per requested fd, by fd; `offsets` (a resumed capture's) start each
 * where the previous one had read to.
 */
export function remoteFollows(
  proc: ProcessInfo,
  caps: HostCapabilities,
  req: StartRequest,
  host: Host,
  logger: Logger,
  offsets?: Map<number, number>,
): Map<number, RemoteFollowSource> {
  const privileged = needsRoot(proc, caps);
  const follows = new Map<number, RemoteFollowSource>();
  for (const fd of req.fds) {
    const from = { fromStart: req.fromStart, offset: offsets?.get(fd) };
    follows.set(
      fd,
      createRemoteFollowSource({ host, pid: proc.pid, fd, privileged, logger, ...from }),
    );
  }
  return follows;
}
