import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ShaderLoader } from './shader-source.ts';

const shaderDir = fileURLToPath(new URL('../../shaders/', import.meta.url));
const cache = new Map<string, string>();

/** Reads `shaders/NAME.wgsl` from the repository (Node only). */
export const nodeShaderLoader: ShaderLoader = (name) => {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(shaderDir, `${name}.wgsl`), 'utf8');
    cache.set(name, text);
  }
  return text;
};
