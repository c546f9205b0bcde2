import { describe, expect, it } from 'vitest';
import { formatModelRef, modelRefLabel, parseModelRef, type ModelRef } from '../../src/ui/model-ref.ts';

describe('model references', () => {
  it('round-trip served, hub and local models', () => {
    const refs: ModelRef[] = [
      { kind: 'served', name: 'stories260k' },
      { kind: 'hub', repo: 'EleutherAI/pythia-160m', revision: 'main' },
      { kind: 'hub', repo: 'meta-llama/Llama-3.2-1B', revision: 'refs/pr/1' },
      { kind: 'local', label: 'my model' },
    ];
    for (const r of refs) expect(parseModelRef(formatModelRef(r))).toEqual(r);
  });

  it('defaults the revision to main and rejects empty references', () => {
    expect(parseModelRef('hf:owner/name')).toEqual({ kind: 'hub', repo: 'owner/name', revision: 'main' });
    expect(parseModelRef('hf:owner/name@')).toEqual({ kind: 'hub', repo: 'owner/name', revision: 'main' });
    expect(parseModelRef('')).toBeNull();
    expect(parseModelRef('hf:')).toBeNull();
  });

  it('labels', () => {
    expect(modelRefLabel({ kind: 'hub', repo: 'a/b', revision: 'v1' })).toBe('a/b@v1');
    expect(modelRefLabel({ kind: 'served', name: 'stories260k' })).toBe('stories260k');
  });
});
