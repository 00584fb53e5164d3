// What read-pipe refuses to read, on any host: a terminal (its input is the user's keys) and
// anything that is not a pipe.
import type { FdTarget } from '../../../preload/contract';
import { FdscopeError } from '../errors';

/** Throws 'not-capturable' unless fd's target is a pipe, saying what to use instead. */
export function refuseUnlessPipe(target: FdTarget, fd: number, message: string): void {
  if (target.kind === 'tty') {
    throw new FdscopeError('not-capturable', message, {
      reason: `it is a terminal (${target.link}): reading it would take the terminal's input`,
      help: 'trace the process instead',
    });
  }
  if (target.kind !== 'pipe') {
    throw new FdscopeError('not-capturable', message, {
      reason: `read-pipe needs a pipe, and fd ${fd} is ${target.kind} (${target.link})`,
      help: target.kind === 'file' ? 'follow the file instead' : 'trace the process instead',
    });
  }
}
