import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSP_DIRECTIVES, CSP_HEADER, CSP_META, DYNAMIC_CODE } from '../../src/devserver/csp.ts';
import { REPO_ROOT } from '../../src/util/assets-dir.ts';

/** Every file under `dir` with one of `exts`. */
function filesUnder(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}


describe('Content-Security-Policy', () => {
  it('allows scripts from the lab only: no inline scripts, no eval', () => {
    expect(CSP_DIRECTIVES['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(CSP_DIRECTIVES['worker-src']).toEqual(["'self'"]);
    expect(CSP_DIRECTIVES['object-src']).toEqual(["'none'"]);
    for (const policy of [CSP_HEADER, CSP_META]) {
      // WebAssembly may compile (onnxruntime-web); JavaScript may not be built from strings.
      expect(policy).not.toContain("'unsafe-eval'");
      expect(policy).not.toContain('strict-dynamic');
      expect(policy).toMatch(/(^|; )script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    }
    // frame-ancestors is ignored in a <meta> policy, so only the header carries it.
    expect(CSP_HEADER).toContain("frame-ancestors 'none'");
    expect(CSP_META).not.toContain('frame-ancestors');
  });

  it('no source file of the app builds code from strings', () => {
    const files = [...filesUnder(join(REPO_ROOT, 'src'), ['.ts', '.tsx']), join(REPO_ROOT, 'index.html')];
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((f) => DYNAMIC_CODE.test(readFileSync(f, 'utf8'))).map((f) => relative(REPO_ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('the pattern catches what it is meant to catch', () => {
    for (const bad of ['eval("1")', 'x = new Function("a", "return a")', "setTimeout('alert(1)', 0)", 'Function("return this")']) expect(bad).toMatch(DYNAMIC_CODE);
    for (const fine of ['evaluate(x)', 'new FunctionValue()', 'setTimeout(() => 0, 5)', 'retrieval(x)']) expect(fine).not.toMatch(DYNAMIC_CODE);
  });
});
