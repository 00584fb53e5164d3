#!/usr/bin/env node
// The fdscope command: runs the CLI bundle that electron-vite builds into out/.
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);

if (existsSync(cli)) {
  await import(cli.href);
} else {
  process.stderr.write('fdscope is not built: run npm run build\n');
  process.exit(1);
}
