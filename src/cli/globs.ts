/**
 * File arguments with `*` and `?` (and `[...]`) expanded by the lab itself: a scheduler's merge
 * step often passes the pattern quoted (a Kubernetes `args` list, `sbatch --wrap`), where no
 * shell expands it. No `**`: shard files sit in one folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

const WILD = /[*?[]/u;

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/^!/u, '^').replace(/\\/gu, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/gu, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The files `pattern` names, sorted with numbers in order (shard-2 before shard-10); the pattern itself when it has no wildcard. */
export function expandPattern(pattern: string): string[] {
  if (!WILD.test(pattern)) return [pattern];
  const parts = pattern.split(/[\\/]/u);
  let paths = [isAbsolute(pattern) ? sep : parts[0] === '' ? sep : '.'];
  const segments = isAbsolute(pattern) || parts[0] === '' ? parts.slice(1) : parts;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const base of paths) {
      if (!WILD.test(segment)) {
        next.push(join(base, segment));
        continue;
      }
      if (!isDir(base)) continue;
      const re = segmentRegex(segment);
      for (const name of readdirSync(base)) {
        // As in a shell: a leading dot is matched only by a pattern that starts with one.
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name) && (last || isDir(join(base, name)))) next.push(join(base, name));
      }
    }
    paths = next;
  });
  return paths.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
