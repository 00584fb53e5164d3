// What SSH asks of the person: trusting a host key, and secrets for logging in. The UI (or the
// CLI) implements it; answers are kept in memory only, never written.

/** A host key not found in any known-hosts file, shown for the person to trust or not. */
export interface HostKeyQuestion {
  host: string;
  port: number;
  /** The name the key is recorded under: `host`, or `[host]:port` for another port. */
  knownHostsName: string;
  keyType: string;
  /** `SHA256:...`, exactly as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Key types already known for this host (the server offered another one). */
  otherKnownTypes: string[];
  /** For a jump host: the host it leads to. */
  jumpFor?: string;
}

export interface PasswordQuestion {
  user: string;
  host: string;
  port: number;
  /** What is asked: the login password, or sudo's. */
  purpose: 'login' | 'sudo';
  /** True when the previous answer was refused. */
  retry: boolean;
}

export interface PassphraseQuestion {
  keyPath: string;
  retry: boolean;
}

export interface KeyboardInteractiveQuestion {
  user: string;
  host: string;
  port: number;
  name: string;
  instructions: string;
  prompts: { prompt: string; echo: boolean }[];
}

/** Asks the person; every method may answer null (or false) to cancel. */
export interface SshPrompter {
  hostKey(question: HostKeyQuestion): Promise<boolean>;
  password(question: PasswordQuestion): Promise<string | null>;
  passphrase(question: PassphraseQuestion): Promise<string | null>;
  keyboardInteractive(question: KeyboardInteractiveQuestion): Promise<string[] | null>;
}

/** A prompter that trusts nothing and knows no secret: for hosts that must need no one. */
export const refusingPrompter: SshPrompter = {
  hostKey: async () => false,
  password: async () => null,
  passphrase: async () => null,
  keyboardInteractive: async () => null,
};
