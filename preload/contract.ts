// The contract between the engine and every face of it (Electron IPC, the
// browser mode's WebSocket, the CLI). Types and names only: this file imports
// neither Node nor Electron, so main, preload and renderer can all share it.

/** Which of a process's output streams a capture is about. */
export type StreamName = 'stdout' | 'stderr';

/** What a file descriptor points to, as read from /proc/PID/fd. */
export type FdKind =
  'file' | 'deleted' | 'pipe' | 'tty' | 'null' | 'socket' | 'anon' | 'other' | 'closed' | 'unknown';

/** One fd of a target process and where it points. */
export interface FdTarget {
  fd: number;
  kind: FdKind;
  /** The link text, e.g. "/var/log/app.log", "pipe:[12345]", "/dev/pts/3". */
  link: string;
  /** Inode of the pipe or socket, or of the file when it could be stat'ed. */
  inode?: number;
  /** Device number of the target, when known (st_dev). */
  dev?: number;
  /** Opened with O_APPEND (from /proc/PID/fdinfo). */
  append?: boolean;
  /** File offset from fdinfo, for regular files. */
  pos?: number;
  /** Size of the regular file, when it could be stat'ed. */
  size?: number;
  /** For a pipe: the other processes holding its read end, when they can be seen. */
  readers?: { pid: number; comm: string }[];
}

/** The ways fdscope can capture a stream. */
export type MethodName = 'file' | 'trace' | 'pipe';

/** The method that fits one fd, and whether this user may use it. */
export interface MethodChoice {
  /** The method 'auto' picks, or null when none fits. */
  method: MethodName | null;
  allowed: boolean;
  /** Why the method cannot be used, with what to do about it. */
  reason?: string;
  /** Other methods that would work, e.g. 'pipe' as an explicit opt-in. */
  alternatives: MethodName[];
}

/** What /proc tells of the container a process runs in; fields it cannot tell are absent. */
export interface ContainerHints {
  /** The cgroup path that named the container, else the cgroup v2 one. */
  cgroup?: string;
  /** The 64-hex container id in the cgroup path. */
  id?: string;
  /** The runtime the path's form belongs to: docker, containerd, cri-o, podman. */
  runtime?: string;
  /** The Kubernetes pod uid, from a kubepods path. */
  podUid?: string;
  /** The process's pid inside its own pid namespace, when it has one (1 for a container's init). */
  nsPid?: number;
}

/** A process on a host, with what fdscope needs to capture it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  user: string;
  /** The command line, arguments joined by spaces. */
  command: string;
  argv: string[];
  /** The executable's path, or '' when it cannot be read. */
  exe: string;
  /** The kernel's short name (comm). */
  comm: string;
  /** Process state letter from /proc/PID/stat (R, S, D, T, Z...). */
  state: string;
  /** Start time in ms since the Unix epoch, on the host's clock. */
  startedAt: number;
  /** PID of the process tracing this one, 0 when none. */
  tracerPid: number;
  threads: number;
  /** fds 0, 1 and 2 (fewer when the process is not readable). */
  fds: FdTarget[];
  /** The method for fd 1 and fd 2. */
  methods: Record<'1' | '2', MethodChoice>;
  /** Set when the fds could not be read (another user's process). */
  unreadable?: string;
  /** Set when the process runs in a container or in its own pid namespace. */
  container?: ContainerHints;
}

/** What a host can do for captures. */
export interface HostCapabilities {
  uid: number;
  user: string;
  isRoot: boolean;
  /** Path to strace, or null when it is not installed. */
  strace: string | null;
  straceVersion: string | null;
  /** kernel.yama.ptrace_scope, or null when Yama is not present. */
  ptraceScope: number | null;
  /** The effective set holds CAP_SYS_PTRACE. */
  capSysPtrace: boolean;
}

/** Where commands run: this machine, an SSH server, or through a wrapper command. */
export type HostKind = 'local' | 'ssh' | 'command';

export interface HostInfo {
  id: string;
  label: string;
  kind: HostKind;
  /** Where the host comes from: ~/.ssh/config, or added in fdscope (kept in its settings). */
  origin?: 'config' | 'added';
}

/**
 * A host to add. spec is, for 'ssh', an ~/.ssh/config alias or user@host[:port]; for
 * 'command', the wrapper that runs a command where the processes live, as one string split
 * like a shell's simple words (`kubectl exec -i POD -c C --`, `docker exec -i NAME`).
 */
export interface AddHostRequest {
  kind: 'ssh' | 'command';
  /** Shown in the host list; the spec when empty. */
  label: string;
  spec: string;
}

/** How a capture's times were taken. */
export type TimingSource = 'syscall' | 'observed';

export type CaptureState = 'starting' | 'running' | 'stopping' | 'ended';

/** One stream within a capture. */
export interface CaptureStream {
  fd: number;
  stream: StreamName;
  target: FdTarget;
  bytes: number;
  writes: number;
  lines: number;
}

/** A notice within a capture: a gap, a change of target, a warning. */
export interface CaptureNotice {
  t: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** Measured cost of the capture to the target, while tracing. */
export interface Slowdown {
  /** Write calls per second seen in the last interval. */
  callsPerSecond: number;
  /** Estimated factor by which the target's writes are slowed. */
  factor: number | null;
  message: string;
}

/** A process a capture traces because it writes (or may write) to the captured streams. */
export interface FollowedProcess {
  pid: number;
  /** Its program's name (comm), or the program it started, when known. */
  command: string;
}

/** One recording of one process's streams. */
export interface CaptureInfo {
  id: string;
  hostId: string;
  pid: number;
  command: string;
  method: MethodName;
  timing: TimingSource;
  state: CaptureState;
  /** ms since the Unix epoch. */
  startedAt: number;
  endedAt?: number;
  /** Why the capture ended: "stopped by user", "process exited (status 0)". */
  endReason?: string;
  error?: ErrorInfo;
  streams: CaptureStream[];
  writes: number;
  bytes: number;
  lines: number;
  /** Time of the first and last write, µs since the epoch; 0 when none. */
  firstT: number;
  lastT: number;
  notices: CaptureNotice[];
  slowdown?: Slowdown;
  /**
   * trace: every process followed, the target first, then those that held its streams at the
   * start (children of a shell script) and those seen writing to them since.
   */
  followed?: FollowedProcess[];
}

/** A request to start capturing. */
export interface StartRequest {
  hostId: string;
  pid: number;
  /** Which fds: [1], [2] or [1, 2]. */
  fds: number[];
  method: MethodName | 'auto';
  /** follow-file: read the file from its start rather than its end. */
  fromStart?: boolean;
  /** read-pipe: the user accepted that output is taken from the real reader. */
  confirmPipe?: boolean;
}

/** One line of the raw log, as stored. */
export interface LogLine {
  /** Position among all lines of the capture, in order of completion. */
  index: number;
  fd: number;
  /** Time of the line's first byte, µs since the epoch. */
  t: number;
  /** Byte length of the whole line, newline included when complete. */
  length: number;
  /** The line's bytes, at most the requested cap. */
  bytes: Uint8Array;
  /** Ends with a newline (false for the last, still open, line). */
  complete: boolean;
}

export interface LinesResult {
  total: number;
  lines: LogLine[];
}

/** One write as the timeline shows it. */
export interface TimelineWrite {
  t: number;
  fd: number;
  pid: number;
  length: number;
}

/** Writes aggregated into equal slices of time, per fd. */
export interface TimelineBuckets {
  fd: number;
  counts: number[];
  bytes: number[];
  maxLength: number[];
}

export interface TimelineResult {
  t0: number;
  t1: number;
  /** Every write in range when there are few enough, else buckets. */
  writes: TimelineWrite[] | null;
  buckets: TimelineBuckets[] | null;
  total: number;
}

export type BufferingVerdict =
  'block-buffered' | 'line-buffered' | 'unbuffered' | 'idle' | 'unknown';

/** The buffering diagnosis of one stream. */
export interface Diagnosis {
  fd: number;
  verdict: BufferingVerdict;
  /** One sentence: "block-buffered: 4096-byte writes every ~2.5 s". */
  headline: string;
  details: string[];
  /** What to do, for the runtime that was recognised. */
  fixes: string[];
  runtime: string | null;
}

export type ExportFormat = 'raw' | 'text' | 'jsonl' | 'csv';

export interface ExportRequest {
  id: string;
  format: ExportFormat;
  /** raw takes exactly one fd; the others one or both. */
  fds: number[];
  /** Absolute path of the file to write on the engine's machine. */
  path: string;
  /** Replace a file already at the path; without it an existing file is refused. */
  overwrite?: boolean;
}

export interface ExportResult {
  path: string;
  bytes: number;
}

/** What the engine may ask the person at the window while it connects or attaches. */
export type PromptKind =
  'host-key' | 'password' | 'passphrase' | 'keyboard-interactive' | 'sudo-password';

/** One value to type in answer to a prompt. */
export interface PromptField {
  label: string;
  /** Typed without echo, never stored. */
  secret: boolean;
}

/** A question from the engine: trust this host key, or type this secret. */
export interface Prompt {
  id: string;
  kind: PromptKind;
  /** Who asks, e.g. "deploy@web1:2222". */
  host: string;
  title: string;
  message: string;
  /** host-key: the key's SHA256 fingerprint as ssh-keygen -lf prints it. */
  fingerprint?: string;
  /** host-key: the key's type, e.g. "ssh-ed25519". */
  keyType?: string;
  fields: PromptField[];
}

/** The person's answer: accept (trust, or the typed values) or refuse. */
export interface PromptAnswer {
  id: string;
  accept: boolean;
  /** One value per field, in order; empty when refused. */
  values: string[];
}

/** Stable error codes: the UI and the CLI may branch on them. */
export type ErrorCode =
  | 'bad-request'
  | 'no-such-host'
  | 'no-such-process'
  | 'no-such-capture'
  | 'not-capturable'
  | 'strace-missing'
  | 'ptrace-scope'
  | 'ptrace-capability'
  | 'ptrace-blocked'
  | 'already-traced'
  | 'pipe-needs-confirm'
  | 'method-unavailable'
  | 'process-ended'
  | 'io'
  | 'file-exists'
  | 'not-supported'
  // SSH hosts: the link, the login, the host key, sudo on the remote side.
  | 'ssh-connect'
  | 'ssh-auth'
  | 'ssh-config'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'host-key-revoked'
  | 'ssh-link-lost'
  | 'sudo-missing'
  | 'sudo-refused'
  | 'internal';

/** An error as it crosses a boundary: what failed, why, what to do. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  reason?: string;
  help?: string;
  /** The underlying tool's own words, e.g. strace's stderr. */
  details?: string;
  fatal?: boolean;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Every request: its payload and its answer. */
export interface Requests {
  'hosts:list': { req: Record<string, never>; res: HostInfo[] };
  'hosts:add': { req: AddHostRequest; res: HostInfo };
  /** Forgets a host; refused while a capture on it runs. */
  'hosts:remove': { req: { id: string }; res: { id: string } };
  'processes:list': {
    req: { hostId: string };
    res: { capabilities: HostCapabilities; processes: ProcessInfo[] };
  };
  'capture:start': { req: StartRequest; res: CaptureInfo };
  'capture:stop': { req: { id: string }; res: CaptureInfo };
  'capture:list': { req: Record<string, never>; res: CaptureInfo[] };
  'capture:get': { req: { id: string }; res: CaptureInfo };
  'capture:delete': { req: { id: string }; res: { id: string } };
  'capture:lines': {
    req: { id: string; from: number; count: number; maxBytes?: number };
    res: LinesResult;
  };
  'capture:search': {
    req: { id: string; query: string; from: number; backwards?: boolean; caseSensitive?: boolean };
    res: { index: number | null };
  };
  /** The first line whose first byte came at or after time t (µs). */
  'capture:line-at': { req: { id: string; t: number }; res: { index: number | null } };
  'capture:timeline': {
    req: { id: string; t0: number; t1: number; buckets: number };
    res: TimelineResult;
  };
  'capture:diagnosis': { req: { id: string }; res: Diagnosis[] };
  'capture:export': { req: ExportRequest; res: ExportResult };
  'export:default-path': {
    req: { id: string; format: ExportFormat; fds: number[] };
    res: { path: string };
  };
  /** Electron only: the native save dialog. Null when cancelled. */
  'dialog:save-path': { req: { defaultPath: string }; res: { path: string | null } };
  /** Answers a prompt the engine asked through 'prompt:ask'. */
  'prompt:answer': { req: PromptAnswer; res: { id: string } };
}

export type RequestName = keyof Requests;
export type Req<K extends RequestName> = Requests[K]['req'];
export type Res<K extends RequestName> = Requests[K]['res'];

/** Events pushed from the engine; at most a few per second per capture. */
export interface Events {
  'capture:update': CaptureInfo;
  /** A menu item of the desktop app the renderer acts on. */
  'menu:command': { command: MenuCommand };
  /** A question for the person; a window that opens later is asked again. */
  'prompt:ask': Prompt;
  /** A prompt that no longer needs an answer (answered elsewhere, timed out, cancelled). */
  'prompt:closed': { id: string; reason: string };
}

/** Menu items whose action lives in the renderer. */
export type MenuCommand = 'export' | 'close-capture';

export type EventName = keyof Events;

/** Every request name, for validation and routing. */
export const REQUEST_NAMES: readonly RequestName[] = [
  'hosts:list',
  'hosts:add',
  'hosts:remove',
  'processes:list',
  'capture:start',
  'capture:stop',
  'capture:list',
  'capture:get',
  'capture:delete',
  'capture:lines',
  'capture:search',
  'capture:line-at',
  'capture:timeline',
  'capture:diagnosis',
  'capture:export',
  'export:default-path',
  'dialog:save-path',
  'prompt:answer',
];

export const EVENT_NAMES: readonly EventName[] = [
  'capture:update',
  'menu:command',
  'prompt:ask',
  'prompt:closed',
];

/** The object the renderer talks to, in Electron and in the browser alike. */
export interface FdscopeBridge {
  readonly mode: 'electron' | 'browser';
  request<K extends RequestName>(name: K, req: Req<K>): Promise<Result<Res<K>>>;
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
}

/** The engine as the faces see it: one handler for every request. */
export interface EngineApi {
  handle<K extends RequestName>(name: K, req: Req<K>): Promise<Res<K>>;
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
  close(): Promise<void>;
}

/** Channel names on Electron's IPC, one scheme for all. */
export const IPC_REQUEST_CHANNEL = 'fdscope:request';
export const IPC_EVENT_CHANNEL = 'fdscope:event';
