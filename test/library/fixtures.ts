import type { SolutionMeta } from '../../src/prototokens/solution-file.ts';
import { recordFromSolution, type SolutionRecord } from '../../src/library/records.ts';

export function meta(over: Partial<SolutionMeta> = {}): SolutionMeta {
  return {
    model: 'stories260k',
    modelFingerprint: 'fp-stories',
    weightFormat: 'f32',
    hidden: 64,
    layout: 'e,m*(N-1)',
    firstTarget: 'e',
    targetIds: [1, 2, 3, 4],
    text: 'The cat sat',
    seed: 0,
    lr: 0.01,
    init: 'normal',
    steps: 120,
    loss: 0.5,
    accuracy: 1,
    cTokens: 4,
    seconds: 2.5,
    createdAt: '2026-12-01T10:00:00.000Z',
    labVersion: '0.1.0',
    ...over,
  };
}

/** A record with recognisable bytes (n repeated) saved at minute `minute` of a fixed hour. */
export function record(n: number, over: Partial<SolutionMeta> = {}, tags: string[] = []): SolutionRecord {
  return recordFromSolution(meta(over), new Uint8Array([n, n, n, 7]).buffer, {
    name: `sol-${n}.safetensors`,
    source: 'run',
    stoppedBy: 'solved',
    tags,
    savedAt: new Date(Date.UTC(2026, 11, 1, 12, n)),
  });
}
