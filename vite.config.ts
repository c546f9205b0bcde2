import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { modelRoots } from './src/devserver/model-roots.ts';
import { modelsPlugin } from './src/devserver/vite-plugin.ts';
import { dataPlugin } from './src/devserver/data-plugin.ts';
import { CSP_HEADER, cspPlugin } from './src/devserver/csp.ts';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  plugins: [react(), modelsPlugin(() => modelRoots(repoRoot)), dataPlugin(repoRoot), cspPlugin()],
  // The engine runs in a module worker; 'es' keeps its imports (and import.meta.glob'd WGSL) as modules.
  worker: { format: 'es' },
  // Only the app's own page and the engine worker: otherwise the dependency scan crawls playwright-report/
  // and bench HTML. The worker's tokenizer library is imported lazily; listing it (and the UI's libraries)
  // here pre-bundles them at start-up instead of re-optimising and reloading the page on first use.
  optimizeDeps: {
    entries: ['index.html', 'src/worker/engine-worker.ts'],
    include: ['react', 'react-dom/client', 'zustand', 'zustand/vanilla', 'd3', '@huggingface/transformers'],
  },
  // PROTOLAB_HMR=off (the browser tests): edits to the tree while a test runs must not reload its page.
  server: { host: '127.0.0.1', hmr: process.env.PROTOLAB_HMR === 'off' ? false : undefined },
  preview: { host: '127.0.0.1', headers: { 'Content-Security-Policy': CSP_HEADER } },
  build: { target: 'es2022' },
});
