// Resolves a host alias through parsed ssh config the way OpenSSH does: a line applies when the
// alias matches its Host patterns (wildcards, negation), and the first value found wins.
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { FdscopeError } from '../../errors';
import type { ParsedConfig } from './config-parse';

/** Where and as whom to log in, once config is applied; jumps are hops in connection order. */
export interface SshTarget {
  /** The name the user gave (a config alias or a host name). */
  alias: string;
  hostName: string;
  user: string;
  port: number;
  /** Key files to try, expanded (~ and %-tokens); the defaults when config names none. */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** An agent socket from IdentityAgent: a path, 'SSH_AUTH_SOCK' or 'none'; null if unset. */
  identityAgent: string | null;
  /** Jump hosts, first connected first; each is verified under its own name and port. */
  jumps: SshTarget[];
  serverAliveIntervalS: number | null;
  serverAliveCountMax: number | null;
  /** Known-hosts files from UserKnownHostsFile, if set. */
  userKnownHostsFiles: string[] | null;
}

/** A destination as typed: `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://...`. */
export interface Destination {
  user?: string;
  host: string;
  port?: number;
}

export interface ResolveContext {
  localUser?: string;
  home?: string;
  localHostName?: string;
}

const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ed25519'];
const MAX_JUMP_DEPTH = 8;

/** Parses a destination such as `alice@db.example:2222`; throws a clear error when malformed. */
export function parseDestination(text: string): Destination {
  let rest = text.trim();
  if (rest.startsWith('ssh://')) rest = rest.slice(6).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  rest = at >= 0 ? rest.slice(at + 1) : rest;
  let host = rest;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    host = bracket[1];
    portText = bracket[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(':');
  }
  const port = portText === undefined ? undefined : Number(portText);
  const bad = !host || /\s/.test(host) || user === '' || (port !== undefined && !validPort(port));
  if (bad) {
    throw new FdscopeError('ssh-config', `unable to read the destination "${text}"`, {
      reason: 'expected [user@]host[:port]',
      help: 'write it as alice@server.example:2222, or give a Host alias from ~/.ssh/config',
    });
  }
  return { user, host, port };
}

/** Resolves a destination through the config; values given in the destination win. */
export function resolveTarget(
  destination: Destination,
  config: ParsedConfig,
  context: ResolveContext = {},
  depth = 0,
): SshTarget {
  const ctx = {
    localUser: context.localUser ?? userInfo().username,
    home: context.home ?? homedir(),
    localHostName: context.localHostName ?? hostname(),
  };
  const alias = destination.host;
  const first = (keyword: string): string[] | undefined => {
    const entry = config.entries.find(
      (e) =>
        e.keyword === keyword && e.hostPatterns.every((list) => matchesPatternList(alias, list)),
    );
    return entry?.args;
  };
  const all = (keyword: string): string[] =>
    config.entries
      .filter((e) => e.keyword === keyword)
      .filter((e) => e.hostPatterns.every((list) => matchesPatternList(alias, list)))
      .flatMap((e) => e.args);

  const hostName = expandTokens(first('hostname')?.[0] ?? alias, { h: alias, ...pct(ctx) });
  const user = destination.user ?? first('user')?.[0] ?? ctx.localUser;
  const port = destination.port ?? numberOption(first('port'), 'Port', alias) ?? 22;
  const tokens = { h: hostName, r: user, p: String(port), n: alias, ...pct(ctx) };
  const named = all('identityfile').filter((f) => f.toLowerCase() !== 'none');
  const files = named.length > 0 ? named : DEFAULT_IDENTITIES.map((f) => `~/.ssh/${f}`);
  const identityFiles = files.map((f) => expandPath(f, tokens, ctx.home));
  const jumpSpec = first('proxyjump')?.join(' ');
  const knownHosts = first('userknownhostsfile');

  return {
    alias,
    hostName,
    user,
    port,
    identityFiles,
    identitiesOnly: first('identitiesonly')?.[0]?.toLowerCase() === 'yes',
    identityAgent: first('identityagent')?.[0] ?? null,
    jumps: jumpSpec ? resolveJumps(jumpSpec, config, context, depth) : [],
    serverAliveIntervalS: numberOption(first('serveraliveinterval'), 'ServerAliveInterval', alias),
    serverAliveCountMax: numberOption(first('serveralivecountmax'), 'ServerAliveCountMax', alias),
    userKnownHostsFiles: knownHosts ? knownHosts.map((f) => expandPath(f, tokens, ctx.home)) : null,
  };
}

/**
 * Resolves a ProxyJump list `a,b`: the hops in connection order. The first hop is reached its
 * own way (its config's ProxyJump); each later one through the hop before it, as ssh -J does.
 */
function resolveJumps(
  spec: string,
  config: ParsedConfig,
  context: ResolveContext,
  depth: number,
): SshTarget[] {
  if (spec.toLowerCase() === 'none') return [];
  if (depth >= MAX_JUMP_DEPTH) {
    throw new FdscopeError('ssh-config', 'unable to resolve ProxyJump', {
      reason: `jump hosts nest more than ${MAX_JUMP_DEPTH} deep (a loop in ~/.ssh/config?)`,
      help: 'check the ProxyJump lines of the hosts involved',
    });
  }
  const hops = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chain: SshTarget[] = [];
  hops.forEach((hop, i) => {
    const target = resolveTarget(parseDestination(hop), config, context, depth + 1);
    if (i === 0) chain.push(...target.jumps);
    chain.push({ ...target, jumps: [] });
  });
  return chain;
}

/** True when a host matches a Host line's patterns: one positive match and no negated one. */
export function matchesPatternList(host: string, patterns: string[]): boolean {
  const name = host.toLowerCase();
  let matched = false;
  for (const raw of patterns.flatMap((p) => p.split(','))) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!wildcardMatch(name, pattern)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `*` and `?` matching, as OpenSSH's match_pattern. */
export function wildcardMatch(text: string, pattern: string): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's').test(text);
}

/** Expands %-tokens (%% and the letters given); an unknown token is left as written. */
export function expandTokens(text: string, tokens: Record<string, string>): string {
  return text.replace(/%(.)/g, (whole, letter: string) =>
    letter === '%' ? '%' : (tokens[letter] ?? whole),
  );
}

function expandPath(path: string, tokens: Record<string, string>, home: string): string {
  const expanded = expandTokens(path, tokens);
  if (expanded === '~') return home;
  return expanded.startsWith('~/') ? join(home, expanded.slice(2)) : expanded;
}

function pct(ctx: Required<ResolveContext>): Record<string, string> {
  return { d: ctx.home, u: ctx.localUser, l: ctx.localHostName };
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port < 65536;
}

function numberOption(args: string[] | undefined, name: string, alias: string): number | null {
  if (!args) return null;
  const value = Number(args[0]);
  if (!Number.isInteger(value) || value < 0) {
    throw new FdscopeError('ssh-config', `unable to use the ssh config for ${alias}`, {
      reason: `${name} "${args[0]}" is not a whole number`,
      help: `fix the ${name} line in ~/.ssh/config`,
    });
  }
  return value;
}
