/**
 * Which model a run uses, as one string that fits in a URL:
 *   "stories260k"           a model the dev server lists in /models/index.json
 *   "hf:owner/name@rev"     a Hugging Face Hub repo at a branch, tag or commit
 *   "local:folder"          a folder picked from disk (cannot be reopened from a link)
 */
export type ModelRef = { kind: 'served'; name: string } | { kind: 'hub'; repo: string; revision: string } | { kind: 'local'; label: string };

export function formatModelRef(ref: ModelRef): string {
  switch (ref.kind) {
    case 'served':
      return ref.name;
    case 'hub':
      return `hf:${ref.repo}@${ref.revision || 'main'}`;
    case 'local':
      return `local:${ref.label}`;
  }
}

export function parseModelRef(s: string): ModelRef | null {
  const t = s.trim();
  if (t === '') return null;
  if (t.startsWith('hf:')) {
    const body = t.slice(3);
    const at = body.indexOf('@');
    const repo = at < 0 ? body : body.slice(0, at);
    const revision = at < 0 ? 'main' : body.slice(at + 1) || 'main';
    return repo ? { kind: 'hub', repo, revision } : null;
  }
  if (t.startsWith('local:')) return { kind: 'local', label: t.slice(6) };
  return { kind: 'served', name: t };
}

/** Label shown for a model, and used in solution file names. */
export function modelRefLabel(ref: ModelRef): string {
  switch (ref.kind) {
    case 'served':
      return ref.name;
    case 'hub':
      return `${ref.repo}@${ref.revision}`;
    case 'local':
      return ref.label;
  }
}
