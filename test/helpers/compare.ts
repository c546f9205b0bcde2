import { expect } from 'vitest';

/** max |got - want| / max |want|: the relative error measure the fixtures README uses. */
export function relMaxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i] - want[i]));
    den = Math.max(den, Math.abs(want[i]));
  }
  return den === 0 ? num : num / den;
}

/** ||got - want|| / ||want||. */
export function relNormError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num) / Math.sqrt(den || 1);
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what = ''): void {
  const e = relMaxError(got, want);
  expect(e, `${what} relative max error ${e.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
  let firstBad = -1;
  for (let i = 0; i < got.length && firstBad < 0; i++) if (!Number.isFinite(got[i])) firstBad = i;
  expect(firstBad, `${what}[${firstBad}] is not finite`).toBe(-1);
}
