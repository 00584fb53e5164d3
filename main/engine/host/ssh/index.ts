// What the rest of the app uses of SSH hosts: the host itself, what it asks the person, and
// the user's ~/.ssh setup. Everything else in this folder is its inner workings.
export { SshHost } from './ssh-host';
export type { ReconnectOptions, SshHostOptions, SshHostState, SshRunOptions } from './ssh-host';
export type { SshProcess } from './ssh-process';
export type {
  HostKeyQuestion,
  KeyboardInteractiveQuestion,
  PassphraseQuestion,
  PasswordQuestion,
  SshPrompter,
} from './prompter';
export { refusingPrompter } from './prompter';
export type { KnownHostsFiles } from './host-key-check';
export type { Destination, SshTarget } from './config-resolve';
export { parseDestination, resolveTarget } from './config-resolve';
export {
  configHostAliases,
  readUserConfig,
  resolveDestination,
  userKnownHostsFiles,
} from './user-config';
export { fingerprint } from './host-key';
