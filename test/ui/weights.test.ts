import { describe, expect, it } from 'vitest';
import { WEIGHT_CHOICES, weightFormatNote } from '../../src/shared/weight-formats.ts';
import { recordFromSolution } from '../../src/library/records.ts';
import { CHECKPOINT_WEIGHTS, PAGE_WEIGHTS, weightsToLoad } from '../../src/ui/weights.ts';
import { meta } from '../library/fixtures.ts';

describe("the page's weight format", () => {
  it("offers the checkpoint's own precision first, then every choice the engine takes", () => {
    expect(PAGE_WEIGHTS).toEqual([CHECKPOINT_WEIGHTS, ...WEIGHT_CHOICES]);
  });

  it("loads the checkpoint's own precision by sending no format, and any other choice as is", () => {
    expect(weightsToLoad('checkpoint')).toBeUndefined();
    for (const w of WEIGHT_CHOICES) expect(weightsToLoad(w)).toBe(w);
  });
});

describe('the note on a solution of another weight format', () => {
  it('names both formats, and is null for the same one', () => {
    expect(weightFormatNote('q8', 'q8')).toBeNull();
    expect(weightFormatNote('f32', 'q4')).toMatch(/trained against f32 weights; the loaded model holds them as q4/);
  });

  it('reads a record kept before formats existed as f32, as the file reader does', () => {
    expect(weightFormatNote(undefined, 'f32')).toBeNull();
    expect(weightFormatNote(undefined, 'q8')).toBe(weightFormatNote('f32', 'q8'));
  });

  it("a library record keeps its solution's weight format", () => {
    const r = recordFromSolution(meta({ weightFormat: 'q4' }), new ArrayBuffer(4), { name: 'a.safetensors', source: 'import' });
    expect(r.weightFormat).toBe('q4');
  });
});
