// Run-time checks of every request payload. Payloads end up as strace
// arguments and file paths, so main checks them whatever the sender claims.
import type { Req, RequestName } from './contract';

/** A payload that does not match its request's shape. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}

type Check<T> = (value: unknown, path: string) => T;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ValidationError(`expected ${expected} at ${path}, got ${describe(value)}`);
}

const str =
  (max = 4096): Check<string> =>
  (v, p) => {
    if (typeof v !== 'string') fail(p, 'a string', v);
    if (v.length > max) fail(p, `a string of at most ${max} characters`, v);
    if (v.includes('\0')) fail(p, 'a string without NUL characters', v);
    return v;
  };

const int =
  (min: number, max: number): Check<number> =>
  (v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      fail(p, `a whole number from ${min} to ${max}`, v);
    }
    return v;
  };

const num: Check<number> = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a finite number', v);
  return v;
};

const bool: Check<boolean> = (v, p) => {
  if (typeof v !== 'boolean') fail(p, 'true or false', v);
  return v;
};

const oneOf =
  <T extends string>(...options: T[]): Check<T> =>
  (v, p) => {
    if (typeof v !== 'string' || !options.includes(v as T)) fail(p, options.join(' or '), v);
    return v as T;
  };

const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (v, p) =>
    v === undefined ? undefined : check(v, p);

const fdList: Check<number[]> = (v, p) => {
  if (!Array.isArray(v) || v.length < 1 || v.length > 2) fail(p, 'a list of one or two fds', v);
  const fds = v.map((x, i) => int(1, 2)(x, `${p}[${i}]`));
  if (new Set(fds).size !== fds.length) fail(p, 'distinct fds', v);
  return fds.sort();
};

const id = str(64);

const stringList =
  (maxItems: number, maxLength: number): Check<string[]> =>
  (v, p) => {
    if (!Array.isArray(v) || v.length > maxItems) fail(p, `a list of at most ${maxItems}`, v);
    return v.map((x, i) => str(maxLength)(x, `${p}[${i}]`));
  };

type Shape<T> = { [K in keyof T]-?: Check<T[K]> };

function object<T>(shape: Shape<T>): Check<T> {
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v);
    const input = v as Record<string, unknown>;
    for (const key of Object.keys(input)) {
      if (!(key in shape)) fail(`${p}.${key}`, 'no such field', input[key]);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape) as (keyof T & string)[]) {
      const value = shape[key](input[key], `${p}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out as T;
  };
}

const empty = object<Record<string, never>>({});
const byId = object<{ id: string }>({ id });
const exportFormat = oneOf('raw', 'text', 'jsonl', 'csv');

const checks: { [K in RequestName]: Check<Req<K>> } = {
  'hosts:list': empty,
  // The spec never reaches a shell as text: a wrapper is split into argv, an SSH target parsed.
  'hosts:add': object({ kind: oneOf('ssh', 'command'), label: str(200), spec: str(4096) }),
  'hosts:remove': byId,
  'processes:list': object({ hostId: id }),
  'capture:start': object({
    hostId: id,
    pid: int(1, 2 ** 22),
    fds: fdList,
    method: oneOf('auto', 'file', 'trace', 'pipe'),
    fromStart: optional(bool),
    confirmPipe: optional(bool),
  }),
  'capture:stop': byId,
  'capture:list': empty,
  'capture:get': byId,
  'capture:delete': byId,
  'capture:lines': object({
    id,
    from: int(0, Number.MAX_SAFE_INTEGER),
    count: int(0, 10_000),
    maxBytes: optional(int(1, 16 * 1024 * 1024)),
  }),
  'capture:search': object({
    id,
    query: str(1000),
    from: int(0, Number.MAX_SAFE_INTEGER),
    backwards: optional(bool),
    caseSensitive: optional(bool),
  }),
  'capture:line-at': object({ id, t: num }),
  'capture:timeline': object({ id, t0: num, t1: num, buckets: int(1, 10_000) }),
  'capture:diagnosis': byId,
  'capture:export': object({
    id,
    format: exportFormat,
    fds: fdList,
    path: str(4096),
    overwrite: optional(bool),
  }),
  'export:default-path': object({ id, format: exportFormat, fds: fdList }),
  'dialog:save-path': object({ defaultPath: str(4096) }),
  'prompt:answer': object({ id, accept: bool, values: stringList(8, 4096) }),
};

/** Whether a name is one of the contract's requests. */
export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(checks, name);
}

/** Checks a payload for a request and returns a clean copy, or throws ValidationError. */
export function validateRequest<K extends RequestName>(name: K, payload: unknown): Req<K> {
  if (!isRequestName(name)) throw new ValidationError(`unknown request "${String(name)}"`);
  return checks[name](payload, 'payload') as Req<K>;
}
