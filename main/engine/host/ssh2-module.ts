// ssh2 as the built bundle loads it. ssh2 is CommonJS, and Node's ESM loader finds only some of
// its named exports (Client, not utils), so `import { utils } from 'ssh2'` fails at load time in
// out/main, taking the whole CLI and app with it. The build maps 'ssh2' here
// (electron.vite.config.ts); type checks and tests read ssh2 itself.
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

const ssh2 = createRequire(import.meta.url)('ssh2') as typeof Ssh2;

/** ssh2's exports, as its own index gives them. */
export const { Client, utils } = ssh2;
export default ssh2;
