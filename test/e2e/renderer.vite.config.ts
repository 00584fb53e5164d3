// Builds only the renderer, for the UI tests: the main and preload entries
// belong to other layers and need not build for the UI to be tested.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  root: resolve('renderer'),
  base: './',
  plugins: [svelte()],
  logLevel: 'warn',
  build: {
    outDir: resolve('.tmp/renderer-ui-test'),
    emptyOutDir: true,
    rollupOptions: { input: { index: resolve('renderer/index.html') } },
  },
});
