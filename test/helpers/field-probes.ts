import type { Field } from '../../src/shared/fields.ts';

/** Texts a user may type for a field: around its bounds, its words, and nonsense. */
export function probes(f: Field): string[] {
  const range = f.range ? [f.range.min, f.range.max] : [];
  const m = /(above|at least|from) (\S+) (?:and (?:below|at most)|to) (\S+)/u.exec(f.accepts);
  const edges = range.length > 0 ? range : m ? [Number(m[2]), Number(m[3])] : [];
  const around = edges.flatMap((x) => [x - 1, x - 0.5, x, x + 0.5, x + 1, x * 2]).map(String);
  const words = f.accepts.startsWith('one of ') ? [...f.accepts.slice(7).split(', '), 'zigzag', 'E'] : [];
  const lists = f.accepts.startsWith('whole numbers') ? ['1,2', '4 8', '0,1', '1,x', '1;2', `${edges[1]},${edges[1] + 1}`] : [];
  return [...new Set([...around, ...words, ...lists, '', ' ', 'x', '1e3', '0x10', '-0', 'NaN', 'Infinity', String(f.fallback)])];
}
