import type { Plugin } from 'vite';

/**
 * The lab's Content-Security-Policy. Scripts only from the lab's own origin: no inline scripts and
 * no code built from strings at run time (nothing in the app or its libraries needs it; test/security checks the sources,
 * e2e/csp.spec.ts the build). Styles allow inline attributes because React and d3 set `style=` on elements; that cannot
 * run code. Workers are module files from the lab's origin. Models come from the lab's own
 * /models/ or from the Hugging Face Hub, whose file URLs redirect to its CDN hosts.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  // 'wasm-unsafe-eval' lets WebAssembly compile (onnxruntime-web runs the sentence-embedding model
  // of the geometry view); it allows no JavaScript eval, which 'unsafe-eval' would.
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'connect-src': ["'self'", 'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/** Code built from strings at run time: what the policy forbids (used by the tests to scan sources and builds). */
export const DYNAMIC_CODE = /\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*['"`]|setTimeout\s*\(\s*['"`]|setInterval\s*\(\s*['"`]/;

/** Directives a <meta> tag cannot carry (browsers ignore them there); sent as a header only. */
const HEADER_ONLY: Readonly<Record<string, readonly string[]>> = { 'frame-ancestors': ["'none'"] };

function serialise(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** The policy as a response header (vite preview, or any static host). */
export const CSP_HEADER = serialise({ ...CSP_DIRECTIVES, ...HEADER_ONLY });

/** The policy as a <meta> tag, for hosts that cannot set headers. */
export const CSP_META = serialise(CSP_DIRECTIVES);

/**
 * Puts the policy into the built index.html and onto `vite preview`'s responses. Not applied to the
 * dev server: the React fast-refresh preamble it injects is an inline script.
 */
export function cspPlugin(): Plugin {
  return {
    name: 'protolab-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP_META }, injectTo: 'head-prepend' }],
  };
}
