import type { SweepRecord } from '../../src/experiments/records.ts';

/** A results line that passes the reader's checks (one seed, every token right), with `over` on top. */
export function fakeRecord(over: Partial<SweepRecord> & { text: string; length: number; attempt: string }): SweepRecord {
  const { length } = over;
  return {
    v: 1,
    sweep: 's',
    of: 1,
    tokens: Array.from({ length }, (_, i) => i),
    seedList: [0],
    accuracy: [1],
    correct: [length],
    steps: [3],
    best: 1,
    mean: 1,
    passed: true,
    stepsRun: 3,
    hLm: 1,
    ...over,
  } as SweepRecord;
}
