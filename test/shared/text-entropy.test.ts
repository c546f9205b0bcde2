import { describe, expect, it } from 'vitest';
import { entropyInput } from '../../src/shared/text-entropy.ts';

// Which tokens H_LM scores: after BOS when there is one and it fits, else the text alone.

describe('entropyInput', () => {
  it('puts BOS first so the first token is scored too', () => {
    expect(entropyInput([5, 6, 7], 1, 512)).toEqual({ ids: [1, 5, 6, 7], firstToken: true });
  });

  it('leaves BOS out when the model has none or the text fills its positions', () => {
    expect(entropyInput([5, 6, 7], null, 512)).toEqual({ ids: [5, 6, 7], firstToken: false });
    expect(entropyInput([5, 6, 7], undefined, 512)).toEqual({ ids: [5, 6, 7], firstToken: false });
    expect(entropyInput([5, 6, 7], 0, 3)).toEqual({ ids: [5, 6, 7], firstToken: false });
    expect(entropyInput([5, 6, 7], 0, 4)).toEqual({ ids: [0, 5, 6, 7], firstToken: true });
  });
});
