import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { assetsDir } from '../util/assets-dir.ts';
import { createDataMiddleware } from './data-middleware.ts';

/** Mounts /data/ (the shared text sources) on `vite` and `vite preview`, like the model server. */
export function dataPlugin(repoRoot: string): Plugin {
  const middleware = createDataMiddleware(() => resolve(assetsDir(repoRoot), 'data'));
  return {
    name: 'protolab-data',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}
