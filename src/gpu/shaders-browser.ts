import type { ShaderLoader } from './shader-source.ts';

// Vite inlines every WGSL file at build time, so the worker needs no extra fetches.
const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const byName = new Map<string, string>();
for (const [path, text] of Object.entries(files)) {
  const name = path.slice(path.lastIndexOf('/') + 1).replace(/\.wgsl$/, '');
  byName.set(name, text);
}

export const browserShaderLoader: ShaderLoader = (name) => {
  const text = byName.get(name);
  if (text === undefined) throw new Error(`No shader named ${name} in shaders/`);
  return text;
};
