/** File names for exported solutions: readable, safe on every file system, unique within a zip. */
import type { SolutionSummary } from './records.ts';

function safePart(s: string, fallback: string): string {
  const base = s.replace(/@.*$/, '').split('/').filter(Boolean).pop() ?? '';
  return base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '').slice(0, 60) || fallback;
}

/** A model id as a short name for tables: "http://host/models/stories260k/" → "stories260k", "org/name@rev" → "name". */
export function modelShortName(model: string): string {
  return model.replace(/@.*$/, '').split('/').filter(Boolean).pop() ?? model;
}

/** "stories260k-16tok-seed0.safetensors", the same shape the compress page's Save uses. */
export function exportFileName(r: Pick<SolutionSummary, 'model' | 'N' | 'seed'>): string {
  return `${safePart(r.model, 'model')}-${r.N}tok-seed${r.seed}.safetensors`;
}

/** Names for many files in one folder or zip: a clash gets "-2", "-3", ... before the extension. */
export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let k = 2; used.has(candidate.toLowerCase()); k++) candidate = `${stem}-${k}${ext}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}
