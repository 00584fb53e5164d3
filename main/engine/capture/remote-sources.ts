// The follow-file and read-pipe sources for a host other than this machine, one per fd;
// trace needs no counterpart, since it already runs strace through the host.
import type { HostCapabilities, ProcessInfo, StartRequest } from '../../../preload/contract';
import type { Host } from '../host/host';
import type { Logger } from '../log';
import { createRemoteFollowSource } from './remote-follow-source';
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
  const privileged = !caps.isRoot && proc.uid !== caps.uid;
  const { pid } = proc;
  if (method === 'file') {
    return req.fds.map((fd) =>
      createRemoteFollowSource({ host, pid, fd, fromStart: req.fromStart, privileged, logger }),
    );
  }
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
