/**
 * Where WGSL text comes from. The browser bundles `shaders/*.wgsl` through Vite; Node reads
 * them from disk. Both register a loader here so kernels never care which platform they run on.
 *
 * Templates: a shader may contain `{{NAME}}` placeholders for values WGSL cannot take as
 * pipeline-overridable constants (for example the size of a function-scope array). Everything
 * else that varies (tile sizes, workgroup sizes) uses `override` constants instead.
 */
export type ShaderLoader = (name: string) => string;

let loader: ShaderLoader | null = null;

export function setShaderLoader(l: ShaderLoader): void {
  loader = l;
}

export function hasShaderLoader(): boolean {
  return loader !== null;
}

export function shaderSource(name: string, defines: Record<string, string | number> = {}): string {
  if (!loader) throw new Error('No WGSL loader registered: create the GPU through createNodeGpu() or createBrowserGpu()');
  let text = loader(name);
  text = text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key: string) => {
    if (!(key in defines)) throw new Error(`Shader ${name} needs a value for {{${key}}}`);
    return String(defines[key]);
  });
  return text;
}
