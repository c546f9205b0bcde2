import type { ShaderLoader } from './shader-source.ts';

// Vite inlines every WGSL file at build time, so the worker needs no extra fetches.
const files = import.meta.glob('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const byName = new Map<string, string>();
// Names are paths under shaders/ without .wgsl ('matmul', 'weights/q8'), as the Node loader reads them.
for (const [path, text] of Object.entries(files)) byName.set(path.slice('../../shaders/'.length).replace(/\.wgsl$/, ''), text);

export const browserShaderLoader: ShaderLoader = (name) => {
  const text = byName.get(name);
  if (text === undefined) throw new Error(`No shader named ${name} in shaders/`);
  return text;
};
