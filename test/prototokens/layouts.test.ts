import { describe, it, expect } from 'vitest';
import { planLayout, LAYOUT_NAMES } from '../../src/shared/layouts.ts';

const str = (name: Parameters<typeof planLayout>[0], N: number, ft: 'e' | 'first-m' = 'e') => {
  const p = planLayout(name, N, ft);
  return { slots: Array.from(p.slots, (s) => (s ? 'm' : 'e')).join(''), targets: Array.from(p.targetIndex) };
};

describe('proto-token layouts (Table 1)', () => {
  it('lays out each arrangement of the paper', () => {
    expect(str('e*N', 4).slots).toBe('eeee');
    expect(str('e*N/2,m*N/2', 4).slots).toBe('eemm');
    expect(str('(e,m)*N/2', 4).slots).toBe('emem');
    expect(str('e,m*N', 4).slots).toBe('emmmm');
    expect(str('e,m*(N-1)', 4).slots).toBe('emmm');
  });

  it('Eq. 1: the output at e predicts t_1, every token is scored once', () => {
    expect(str('e,m*(N-1)', 4).targets).toEqual([0, 1, 2, 3]);
    expect(str('e,m*N', 4).targets).toEqual([0, 1, 2, 3, -1]);
  });

  it('the caption reading: e is unguided and the first m predicts t_1', () => {
    expect(str('e,m*(N-1)', 4, 'first-m')).toEqual({ slots: 'emmmm', targets: [-1, 0, 1, 2, 3] });
    expect(str('e*N', 2, 'first-m')).toEqual({ slots: 'eee', targets: [-1, 0, 1] });
  });

  it('every layout scores each of the N tokens exactly once, for odd and even N', () => {
    for (const name of LAYOUT_NAMES) {
      for (const N of [1, 2, 5, 16]) {
        for (const ft of ['e', 'first-m'] as const) {
          const t = Array.from(planLayout(name, N, ft).targetIndex).filter((x) => x >= 0);
          expect(t).toEqual(Array.from({ length: N }, (_, i) => i));
        }
      }
    }
  });

  it('refuses an empty text', () => {
    expect(() => planLayout('e*N', 0)).toThrow(/at least one token/);
  });
});
