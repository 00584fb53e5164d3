// A remote machine as a Host: one SSH connection (through jump hosts if configured) reused for
// every command, keepalives that notice a dead link, reconnect with backoff, the clock offset.
import { EventEmitter } from 'node:events';
import type { HostInfo } from '../../../../preload/contract';
import { FdscopeError } from '../../errors';
import { silentLogger, type Logger } from '../../log';
import type { Host, RunOptions } from '../host';
import { measureClockOffset } from './clock';
import { collect } from './collect';
import type { SshTarget } from './config-resolve';
import { openLink, type Link, type LinkSettings } from './connect';
import type { KnownHostsFiles } from './host-key-check';
import type { SshPrompter } from './prompter';
import { killCommand, remoteCommand } from './remote-command';
import { startSshProcess, watchChannel, type OpenChannel, type SshProcess } from './ssh-process';
import { probeSudo, type SudoAccess } from './sudo';
import { deferred, sleep } from './waiting';

export interface SshHostOptions {
  target: SshTarget;
  prompter: SshPrompter;
  knownHosts: KnownHostsFiles;
  /** Defaults to `ssh:user@host:port` and `user@host`. */
  id?: string;
  label?: string;
  /** The agent socket; defaults to SSH_AUTH_SOCK. null: no agent. */
  agent?: string | null;
  /** Defaults to the target's ServerAliveInterval, else 5 s. */
  keepaliveIntervalMs?: number;
  /** Defaults to the target's ServerAliveCountMax, else 3. */
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
  logger?: Logger;
}

/** RunOptions plus running the command as root through sudo. */
export interface SshRunOptions extends RunOptions {
  sudo?: boolean;
}

export interface ReconnectOptions {
  /** Tries before giving up (5). */
  attempts?: number;
  /** The wait after the first failed try, doubled after each (500 ms, at most maxDelayMs). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
}

export type SshHostState = 'idle' | 'connecting' | 'connected' | 'lost' | 'closed';

// Errors a retry cannot cure: reconnecting gives up on them at once.
const FINAL = new Set(['ssh-auth', 'host-key-unknown', 'host-key-changed', 'host-key-revoked']);

/**
 * An SSH host. Events: 'connected' (), 'lost' (FdscopeError), 'reconnecting' ({attempt,
 * delayMs, error}), 'closed' ().
 */
export class SshHost extends EventEmitter implements Host {
  readonly info: HostInfo;
  readonly target: SshTarget;
  /** Remote clock minus local clock, measured at the last connect (null until then). */
  clockOffsetMs: number | null = null;
  /** The round trip of that measurement: the offset is good to about half of it. */
  clockRoundTripMs: number | null = null;
  private stateValue: SshHostState = 'idle';
  private link: Link | null = null;
  private connecting: Promise<void> | null = null;
  private lostError: FdscopeError | null = null;
  private lostWaiter = deferred<FdscopeError>();
  private readonly settings: LinkSettings;
  private readonly running = new Set<SshProcess>();
  private sudoAccess: Promise<SudoAccess> | null = null;
  private sudoPassword: string | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: SshHostOptions) {
    super();
    const { target } = options;
    this.target = target;
    this.logger = options.logger ?? silentLogger;
    const name = `${target.user}@${target.hostName}:${target.port}`;
    this.info = {
      id: options.id ?? `ssh:${name}`,
      label: options.label ?? `${target.user}@${target.alias}`,
      kind: 'ssh',
    };
    const intervalS = target.serverAliveIntervalS;
    this.settings = {
      prompter: options.prompter,
      knownHosts: options.knownHosts,
      agent: options.agent === undefined ? (process.env.SSH_AUTH_SOCK ?? null) : options.agent,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? (intervalS ? intervalS * 1000 : 5000),
      keepaliveCountMax: options.keepaliveCountMax ?? target.serverAliveCountMax ?? 3,
      readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
      logger: this.logger,
      secrets: new Map(),
    };
  }

  get state(): SshHostState {
    return this.stateValue;
  }

  /** Resolves with the reason when the current (or next) connection dies. */
  get lost(): Promise<FdscopeError> {
    return this.lostWaiter.promise;
  }

  /** Connects (once; concurrent calls share the attempt) and measures the clock offset. */
  connect(): Promise<void> {
    if (this.stateValue === 'connected') return Promise.resolve();
    if (this.stateValue === 'closed') return Promise.reject(this.closedError());
    if (this.stateValue === 'lost' && this.lostError) return Promise.reject(this.lostError);
    this.connecting ??= this.openOnce().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Drops the link if any and connects again, waiting longer after each failed try. */
  async reconnect(options: ReconnectOptions = {}): Promise<void> {
    const attempts = options.attempts ?? 5;
    let delayMs = options.initialDelayMs ?? 500;
    const maxDelayMs = options.maxDelayMs ?? 8000;
    if (this.stateValue === 'closed') throw this.closedError();
    this.dropLink();
    for (let attempt = 1; ; attempt++) {
      try {
        this.stateValue = 'idle';
        this.lostError = null;
        await this.connect();
        return;
      } catch (error) {
        const final = error instanceof FdscopeError && FINAL.has(error.code);
        if (final || attempt >= attempts || options.signal?.aborted) throw error;
        this.emit('reconnecting', { attempt, delayMs, error });
        await sleep(delayMs, options.signal);
        delayMs = Math.min(delayMs * 2, maxDelayMs);
      }
    }
  }

  /** Runs argv on the host in one exec channel (no pty), connecting first if needed. */
  spawn(argv: readonly string[], given: SshRunOptions = {}): SshProcess {
    const label = this.info.label;
    // A command that needs root goes through sudo unless the login already is root.
    const sudo = given.sudo ?? (given.privileged === true && this.target.user !== 'root');
    const options = { ...given, sudo };
    const process = startSshProcess(
      argv,
      options.stdin === true,
      {
        open: () => this.openChannel(argv, options),
        signal: (pid, signal) => this.signalRemote(pid, signal, { sudo: options.sudo }),
        logger: this.logger,
        label,
      },
      () => this.lostError,
    );
    this.running.add(process);
    void process.exited.then(() => this.running.delete(process));
    return process;
  }

  /**
   * Signals a remote process group by pid (an SshProcess's pid): after a reconnect, this ends
   * a command the lost link left running, so that no second tracer is left behind.
   */
  async signalRemote(
    pid: number,
    signal: NodeJS.Signals = 'SIGTERM',
    options: { sudo?: boolean } = {},
  ): Promise<void> {
    const kill = this.spawn(['sh', '-c', killCommand(pid, signal)], { sudo: options.sudo });
    const result = await collect(kill);
    if (result.code !== 0) throw new Error(result.stderr.trim() || `kill ended ${result.code}`);
  }

  /** Forgets the passwords, passphrases and decrypted keys kept for reconnecting. */
  forgetSecrets(): void {
    this.settings.secrets.clear();
    this.sudoPassword = undefined;
    this.sudoAccess = null;
  }

  /** Ends every running command (SIGTERM), then the connection. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    if (this.stateValue === 'connected') {
      // A snapshot: each kill runs a command of its own, which must not be killed in turn.
      const running = [...this.running];
      for (const process of running) process.kill('SIGTERM');
      const ended = Promise.all(running.map((p) => p.exited));
      await Promise.race([ended, sleep(2000)]);
    }
    this.stateValue = 'closed';
    this.dropLink();
    this.emit('closed');
  }

  private async openOnce(): Promise<void> {
    this.stateValue = 'connecting';
    let link: Link;
    try {
      link = await openLink(this.target, this.settings);
    } catch (error) {
      this.stateValue = 'idle';
      throw error;
    }
    if (this.stateValue !== 'connecting') {
      link.end();
      throw this.closedError();
    }
    for (const hop of link.hops) hop.setNoDelay(true);
    this.watch(link);
    this.link = link;
    this.stateValue = 'connected';
    const clock = await measureClockOffset(this);
    this.clockOffsetMs = clock?.offsetMs ?? null;
    this.clockRoundTripMs = clock?.roundTripMs ?? null;
    this.logger.info('ssh', `connected to ${this.info.label}`, { clockOffsetMs: clock?.offsetMs });
    this.emit('connected');
  }

  private watch(link: Link): void {
    let why: string | null = null;
    const onError = (error: Error): void => {
      why ??= error.message === 'Keepalive timeout' ? this.keepaliveReason() : error.message;
    };
    const onClose = (): void => {
      if (this.link !== link) return;
      link.end();
      this.link = null;
      const name = `${this.target.user}@${this.target.hostName}:${this.target.port}`;
      const error = new FdscopeError('ssh-link-lost', `unable to keep the connection to ${name}`, {
        reason: why ?? 'the connection was closed',
        help: 'reconnect once the host can be reached again',
        fatal: true,
      });
      this.lostError = error;
      this.stateValue = 'lost';
      this.logger.warn('ssh', `lost ${name}`, { reason: error.reason });
      this.lostWaiter.resolve(error);
      this.emit('lost', error);
    };
    for (const hop of link.hops) {
      hop.on('error', onError);
      hop.once('close', onClose);
    }
  }

  private keepaliveReason(): string {
    const { keepaliveIntervalMs: ms, keepaliveCountMax: count } = this.settings;
    return `no answer to ${count} keepalives sent every ${ms / 1000} s`;
  }

  private dropLink(): void {
    const link = this.link;
    this.link = null;
    link?.end();
    if (this.lostWaiter.settled) this.lostWaiter = deferred();
  }

  private async openChannel(argv: readonly string[], options: SshRunOptions) {
    await this.connect();
    const sudo = options.sudo ? await this.sudo() : undefined;
    let command: string;
    try {
      const stdin = options.stdin === true;
      command = remoteCommand(argv, { env: options.env, sudo: sudo?.mode, stdin });
    } catch (error) {
      throw new FdscopeError('bad-request', `unable to run ${argv[0] ?? 'a command'}`, {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    const opened = await this.exec(command);
    const stdinPrefix = sudo?.mode === 'password' ? `${sudo.password}\n` : undefined;
    return { ...opened, stdinPrefix };
  }

  private async exec(command: string): Promise<OpenChannel> {
    // OpenSSH counts a session it has just closed until its next clean-up pass, so a channel
    // opened right after another ended may be refused once; a short wait settles it.
    for (const waitMs of [0, 50, 200]) {
      if (waitMs > 0) await sleep(waitMs);
      const result = await this.execOnce(command);
      if (!(result instanceof Error)) return result;
      if (!/open failed/.test(result.message) || waitMs === 200) throw this.execError(result);
    }
    throw new Error('unreachable');
  }

  private execOnce(command: string): Promise<OpenChannel | Error> {
    const client = this.link?.client;
    if (!client) return Promise.reject(this.lostError ?? this.closedError());
    return new Promise((resolve) => {
      client.exec(command, {}, (error, channel) => {
        resolve(error ? error : watchChannel(channel));
      });
    });
  }

  private execError(error: Error): FdscopeError {
    // OpenSSH refuses a channel past MaxSessions (10 by default) with "open failed".
    const others = this.running.size - 1;
    const full = /open failed/.test(error.message) && others > 0;
    return new FdscopeError('ssh-connect', `unable to run a command on ${this.info.label}`, {
      reason: full
        ? `the server refused a session beside the ${others} already running`
        : error.message,
      help: full
        ? "stop a capture, or raise MaxSessions in the server's sshd_config (default 10)"
        : 'check that the server allows commands (exec sessions) for this user',
      cause: error,
    });
  }

  private sudo(): Promise<SudoAccess> {
    this.sudoAccess ??= probeSudo({
      host: this,
      prompter: this.options.prompter,
      where: { user: this.target.user, host: this.target.hostName, port: this.target.port },
      cachedPassword: this.sudoPassword,
    }).then(
      (access) => {
        this.sudoPassword = access.password;
        return access;
      },
      (error: unknown) => {
        // A refusal now may be a typo or a sudoers change later: ask again next time.
        this.sudoAccess = null;
        throw error;
      },
    );
    return this.sudoAccess;
  }

  private closedError(): FdscopeError {
    return new FdscopeError('ssh-connect', `unable to use ${this.info.label}`, {
      reason: 'the host was closed',
      help: 'open the host again',
    });
  }
}
