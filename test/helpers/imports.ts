import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** Every .ts/.tsx file under `dir`, absolute. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/u.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The modules a file loads at run time: every import, export-from and dynamic import, except those
 * erased by TypeScript (`import type`, `export type`, and `import { type A, type B }`).
 */
export function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gu;
  for (const m of text.matchAll(re)) {
    if (m[1]) continue;
    const clause = m[2]?.trim();
    if (clause && /^\{[^}]*\}$/su.test(clause)) {
      const names = clause.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    out.push(m[3] ?? m[4] ?? m[5]);
  }
  return out;
}

/** Everything `start` loads, transitively: repository files (relative to ROOT, '/'-separated) and package or node: specifiers. */
export function importClosure(start: string): { files: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const stack = [resolve(start)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of valueImports(file)) {
      if (!spec.startsWith('.')) packages.add(spec);
      else {
        const target = resolve(dirname(file), spec);
        if (existsSync(target)) stack.push(target);
      }
    }
  }
  return { files: [...seen].map((f) => relative(ROOT, f).split('\\').join('/')).sort(), packages: [...packages].sort() };
}
