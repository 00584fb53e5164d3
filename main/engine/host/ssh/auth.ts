// Logging in, in OpenSSH's order: agent keys, key files (asking an encrypted key's passphrase),
// keyboard-interactive, password. ssh2 calls this only once the host key is settled, so no
// secret is asked for, or sent, before that.
import { existsSync, readFileSync } from 'node:fs';
// ssh2 is CommonJS: Node's ESM loader gives it only as a default export, not named ones.
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type ParsedKey } from 'ssh2';
import type { BaseAgent } from 'ssh2';
import { FdscopeError } from '../../errors';
import type { Logger } from '../../log';
import type { SshPrompter } from './prompter';

/** Secrets kept in memory between connections to one host, so a reconnect asks nothing. */
export interface SecretCache {
  password?: string;
  keys: Map<string, ParsedKey>;
}

export interface AuthInput {
  user: string;
  host: string;
  port: number;
  identityFiles: readonly string[];
  /** The agent (its socket, or one limited to IdentityFiles), or null for none. */
  agent: BaseAgent | string | null;
  prompter: SshPrompter;
  secrets: SecretCache;
  logger: Logger;
}

/** The handler to give ssh2, and the reason to give when every method failed. */
export interface Authenticator {
  handler: AuthHandlerMiddleware;
  failure(): FdscopeError;
}

type Step =
  | { kind: 'agent'; agent: BaseAgent | string }
  | { kind: 'key'; path: string }
  | { kind: 'keyboard-interactive'; attempt: number }
  | { kind: 'password'; attempt: number };

const ATTEMPTS = 3;

/** Builds the authentication handler for one connection. */
export function createAuthenticator(input: AuthInput): Authenticator {
  const steps: Step[] = [];
  if (input.agent) steps.push({ kind: 'agent', agent: input.agent });
  for (const path of input.identityFiles) {
    if (existsSync(path)) steps.push({ kind: 'key', path });
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    steps.push({ kind: 'keyboard-interactive', attempt });
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    steps.push({ kind: 'password', attempt });
  }
  const offered: string[] = [];
  let serverMethods: string[] = [];
  let problem: string | null = null;
  let lastPassword: string | null = null;

  const handler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
    // As ssh does, 'none' first: the server's answer lists the methods it accepts, so nothing
    // is asked of the person for a method the server would refuse anyway.
    if (methodsLeft === null) return next({ type: 'none', username: input.user });
    serverMethods = methodsLeft;
    // A refused password is not worth keeping for the next connection.
    if (lastPassword !== null && input.secrets.password === lastPassword) {
      input.secrets.password = undefined;
    }
    lastPassword = null;
    void nextMethod(methodsLeft).then(
      (method) => next((method ?? false) as AnyAuthMethod),
      (error: unknown) => {
        problem = error instanceof Error ? error.message : String(error);
        next(false as unknown as AnyAuthMethod);
      },
    );
  };

  function cancel(): void {
    steps.splice(0, steps.length);
    problem = 'the login was cancelled';
  }

  async function nextMethod(methodsLeft: string[] | null): Promise<AnyAuthMethod | null> {
    while (steps.length > 0) {
      const step = steps.shift()!;
      const wire = step.kind === 'agent' || step.kind === 'key' ? 'publickey' : step.kind;
      if (methodsLeft && !methodsLeft.includes(wire)) continue;
      const method = await methodFor(step);
      if (!method) continue;
      if (!offered.includes(wire)) offered.push(wire);
      input.logger.debug('ssh', `trying ${step.kind}`, { host: input.host, port: input.port });
      return method;
    }
    return null;
  }

  async function methodFor(step: Step): Promise<AnyAuthMethod | null> {
    const username = input.user;
    switch (step.kind) {
      case 'agent':
        return { type: 'agent', username, agent: step.agent };
      case 'key': {
        const key = await loadKey(step.path, input);
        return key ? { type: 'publickey', username, key } : null;
      }
      case 'keyboard-interactive':
        return {
          type: 'keyboard-interactive',
          username,
          prompt: (name, instructions, _lang, prompts, finish) => {
            if (prompts.length === 0) return finish([]);
            const asked = prompts.map((p) => ({ prompt: p.prompt, echo: p.echo ?? false }));
            void input.prompter
              .keyboardInteractive({ ...where(input), name, instructions, prompts: asked })
              .catch(() => null)
              .then((answers) => {
                if (answers === null) cancel();
                // The protocol has no way to cancel a round: answer it emptily, then stop.
                finish(answers ?? prompts.map(() => ''));
              });
          },
        };
      case 'password': {
        const retry = step.attempt > 0;
        const cached = retry ? undefined : input.secrets.password;
        const password =
          cached ?? (await input.prompter.password({ ...where(input), purpose: 'login', retry }));
        if (password === null) {
          cancel();
          return null;
        }
        input.secrets.password = password;
        lastPassword = password;
        return { type: 'password', username, password };
      }
    }
  }

  return {
    handler,
    failure() {
      const name = `${input.user}@${input.host}:${input.port}`;
      let reason: string;
      if (problem) reason = problem;
      else if (offered.length > 0) {
        reason = `the server refused every method offered (${offered.join(', ')})`;
      } else {
        const accepted = serverMethods.join(', ') || 'unknown';
        reason = `no method the server accepts (${accepted}) could be tried`;
      }
      return new FdscopeError('ssh-auth', `unable to log in to ${name}`, {
        reason,
        help: 'check the user name, load a key into ssh-agent, or name an IdentityFile',
        fatal: true,
      });
    },
  };
}

function where(input: AuthInput): { user: string; host: string; port: number } {
  return { user: input.user, host: input.host, port: input.port };
}

/** Reads a private key, asking for its passphrase when it is encrypted; null to skip it. */
async function loadKey(path: string, input: AuthInput): Promise<ParsedKey | null> {
  const cached = input.secrets.keys.get(path);
  if (cached) return cached;
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    input.logger.warn('ssh', `cannot read key file ${path}`, { error: String(error) });
    return null;
  }
  let parsed = ssh2.utils.parseKey(data);
  for (let attempt = 0; parsed instanceof Error && isEncrypted(parsed); attempt++) {
    if (attempt === ATTEMPTS) {
      throw new Error(`the passphrase for ${path} was wrong ${ATTEMPTS} times`);
    }
    const passphrase = await input.prompter.passphrase({ keyPath: path, retry: attempt > 0 });
    if (passphrase === null) return null;
    parsed = ssh2.utils.parseKey(data, passphrase);
  }
  if (parsed instanceof Error) {
    input.logger.warn('ssh', `${path} is not a usable private key`, { error: parsed.message });
    return null;
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  input.secrets.keys.set(path, key);
  return key;
}

// ssh2 says "no passphrase given" for an encrypted key and fails to decrypt with a wrong one.
function isEncrypted(error: Error): boolean {
  return /passphrase|decrypt|bad (auth|key)|integrity/i.test(error.message);
}
