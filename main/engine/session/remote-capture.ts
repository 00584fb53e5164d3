// A capture on an SSH host: its source outlives a dropped link (the gap marked, the tracer
// re-attached, a followed file read on from the offset it had reached), and the times strace
// took on the host's clock are moved onto this machine's clock.
import type { HostCapabilities, ProcessInfo, StartRequest } from '../../../preload/contract';
import type { RemoteFollowSource } from '../capture/remote-follow-source';
import { remoteFollows } from '../capture/remote-sources';
import type { CaptureSink, CaptureSource } from '../capture/source';
import type { Host } from '../host/host';
import { sshLink } from '../host/ssh-hosts';
import { SshHost } from '../host/ssh/ssh-host';
import type { Logger } from '../log';
import { mergeSources } from './merged-source';
import { createResumableSource, type Measured } from './resumable-source';

/** Whether a host's captures need what this module adds. */
export function isSshHost(host: Host): host is SshHost {
  return host instanceof SshHost;
}

/**
 * Wraps the making of a capture's source for an SSH host. `make` builds a fresh source as the
 * local rules would (trace re-attaches by itself); follow-file is made here, so that a resumed
 * one starts where the dropped one stopped.
 */
export function remoteCapture(
  host: SshHost,
  method: string,
  proc: ProcessInfo,
  caps: HostCapabilities,
  req: StartRequest,
  make: () => CaptureSource,
  logger: Logger,
): CaptureSource {
  let follows = new Map<number, RemoteFollowSource>();

  const resumable = createResumableSource({
    link: sshLink(host),
    logger,
    create: (previous) => {
      if (method !== 'file') return make();
      const offsets = previous
        ? new Map([...follows].map(([fd, source]) => [fd, source.offset()]))
        : undefined;
      follows = remoteFollows(proc, caps, req, host, logger, offsets);
      return mergeSources([...follows.values()]);
    },
  });
  return onLocalClock(resumable, host);
}

/**
 * strace stamps each write with the host's clock; the offset measured at connect (remote minus
 * local) moves it onto this machine's, so that local and remote captures line up. Times taken
 * on arrival ('observed') are local already.
 */
export function onLocalClock(
  source: CaptureSource & Measured,
  host: Pick<SshHost, 'clockOffsetMs' | 'info'>,
): CaptureSource & Measured {
  return {
    slowdown: () => source.slowdown(),
    followed: () => source.followed(),
    get method() {
      return source.method;
    },
    get timing() {
      return source.timing;
    },
    ended: source.ended,
    stop: () => source.stop(),
    start(sink: CaptureSink) {
      let noted = false;
      return source.start({
        notice: (notice) => sink.notice(notice),
        writes(events) {
          const offsetMs = host.clockOffsetMs;
          if (source.timing !== 'syscall' || !offsetMs) return sink.writes(events);
          if (!noted && Math.abs(offsetMs) >= 1) {
            noted = true;
            const ahead = offsetMs > 0 ? 'ahead of' : 'behind';
            sink.notice({
              t: Date.now() * 1000,
              level: 'info',
              message:
                `${host.info.label}'s clock is ${Math.abs(offsetMs).toFixed(0)} ms ${ahead} ` +
                'this machine\u2019s: times are shown on this machine\u2019s clock',
            });
          }
          const shift = Math.round(offsetMs * 1000);
          sink.writes(events.map((e) => ({ ...e, t: e.t - shift })));
        },
      });
    },
  };
}
