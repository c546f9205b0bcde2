import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

// The engine lives in the worker: the UI reaches it only through src/worker/protocol.ts and client.ts.
describe('UI / engine boundary', () => {
  const ui = files(join(root, 'src', 'ui'));

  it('finds the UI files', () => {
    expect(ui.length).toBeGreaterThan(10);
  });

  it.each(ui.map((f) => [relative(root, f), f]))('%s imports no engine module', (_name, file) => {
    for (const spec of imports(file)) {
      expect(spec, `${spec} in ${relative(root, file)}`).not.toMatch(/(^|\/)(gpu|model|prototokens|ops|reference)\//);
      if (spec.includes('/worker/')) expect(spec).toMatch(/\/worker\/(protocol|client)\.ts$/);
    }
  });

  it('the worker code never reaches Node-only modules', () => {
    for (const file of files(join(root, 'src', 'worker'))) {
      for (const spec of imports(file)) {
        expect(spec, `${spec} in ${relative(root, file)}`).not.toMatch(/node-folder|gpu\/node|^node:/);
      }
    }
  });
});
