// The engine's facade: one object that serves every request of the contract.
import type { EngineApi } from '../../preload/contract';
import type { WriteEvent } from './capture/source';
import type { SshHostFactory } from './host/host-registry';
import type { Logger } from './log';
import type { PromptBroker } from './prompts/prompt-broker';

export interface EngineOptions {
  /** The folder captures are stored in (one sub-folder per capture). */
  dataDir: string;
  logger?: Logger;
  /** Where the engine asks the person questions; one is made when none is given. */
  prompts?: PromptBroker;
  /**
   * Makes SSH hosts for hosts:add and ~/.ssh/config's aliases; by default SshHosts reading the
   * user's ~/.ssh. false: no SSH hosts (adding one says SSH is not available here).
   */
  sshHostFactory?: SshHostFactory | false;
  /** The home whose ~/.ssh the default SSH hosts read; the user's own when not given. */
  home?: string;
}

/** The engine for the faces: the contract, plus the raw writes for the CLI's tap. */
export interface Engine extends EngineApi {
  /** Every write of a capture as it is stored; returns the unsubscribe function. */
  onWrites(captureId: string, listener: (writes: WriteEvent[]) => void): () => void;
  /** The questions the engine is waiting on the person for. */
  readonly prompts: PromptBroker;
}
