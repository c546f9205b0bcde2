import type { Plugin } from 'vite';
import { createModelsMiddleware } from './models-middleware.ts';
import type { ModelRoot } from './model-roots.ts';

/**
 * Mounts the model server on both `vite` and `vite preview`. Registered directly in the hooks
 * (not in a returned post-hook) so it runs before Vite's own static and SPA-fallback handlers,
 * which would otherwise answer unknown /models/ paths with index.html.
 */
export function modelsPlugin(roots: () => readonly ModelRoot[]): Plugin {
  const middleware = createModelsMiddleware(roots);
  return {
    name: 'protolab-models',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}
