// What the strace parser reports: writes, exits, moved or closed fds, programs started.
import type { WriteEvent } from './source';

/** A write as traced: a WriteEvent plus the fd's target as strace -y printed it. */
export interface TracedWrite extends WriteEvent {
  /** "/dev/pts/3", "pipe:[4711]", "socket:[99]"; null when strace did not print one. */
  target: string | null;
  /** The system call: "write", "sendmsg", "sendfile"... */
  call: string;
  /** True for calls whose bytes never pass through the process (sendfile, splice): strace
   * shows their count only, so bytes is empty and full says how many were written. */
  opaque: boolean;
  /** The fd number the writing process used; fd is the stream's (the target's fd number). */
  callFd: number;
}

/** A captured fd of the target process moved (dup2, dup3) or was closed. */
export interface FdChange {
  t: number;
  pid: number;
  fd: number;
  /** What it pointed to before, as -y printed it. */
  from: string | null;
  /** What it points to now; null once closed. */
  to: string | null;
  call: string;
}

/** The target process (one of its tasks) started another program. */
export interface TracedExec {
  t: number;
  pid: number;
  program: string;
}

/** How a traced process or thread ended, from strace's "+++ ... +++" lines. */
export interface TracedExit {
  pid: number;
  t: number;
  /** Exit status, or null when killed by a signal. */
  status: number | null;
  /** "SIGKILL", or null when it exited. */
  signal: string | null;
  coreDumped: boolean;
  /** Killed in the middle of a write: its bytes, kept though strace never saw its result. */
  inFlight?: number;
}

/** What one chunk of strace output held. */
export interface ParseBatch {
  writes: TracedWrite[];
  exits: TracedExit[];
  /** Moves and closes of the target process's captured fds. */
  changes: FdChange[];
  /** Programs started by execve in any traced process. */
  execs: TracedExec[];
}

/** Counters over everything parsed so far. */
export interface ParserStats {
  lines: number;
  /** System calls strace reported (any fd, failed ones too): each stopped the process twice. */
  calls: number;
  /** Lines that were not of a shape this parser knows. */
  unknownLines: number;
  /** Second halves with no first half kept: calls on other fds, or in progress at attach. */
  unpairedResumes: number;
  /** Calls printed in two halves (another thread's call came between) and joined. */
  joined: number;
}

/** How a parser tells the writes it captures from the others. */
export interface StraceParserOptions {
  /** The target process's fds whose streams are captured. */
  fds: readonly number[];
  /** The pid of lines without a pid prefix (strace omits it while it traces one process). */
  defaultPid: number;
  /**
   * Each captured fd's target at the start (/proc/PID/fd/N): then writes to those targets on
   * any fd, by any traced process, are captured. Without them, writes to the fds are.
   */
  targets?: ReadonlyMap<number, string>;
  /** True for a task of the target process; by default only defaultPid is. */
  isOwner?: (pid: number) => boolean;
}
