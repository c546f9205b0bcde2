import type { FromWorker } from '../../src/worker/protocol.ts';

export const READY: Extract<FromWorker, { type: 'modelReady' }> = {
  type: 'modelReady',
  id: 'http://127.0.0.1/models/stories260k/',
  label: 'stories260k',
  fingerprint: 'f'.repeat(64),
  spec: { arch: 'llama', family: 'llama', vocabSize: 512, hidden: 64, layers: 5, heads: 8, kvHeads: 4, maxPositions: 512, parameterCount: 260_000, bosTokenId: 1 },
  adapter: { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true, cpuEmulated: true },
  seconds: 1.2,
  memory: { format: 'f32', weightBytes: 1040128, inUse: 1040128, available: 8 * 2 ** 30, n: 128, formats: [{ format: 'f32', weightBytes: 1040128, totalBytes: 1400000, fits: true }, { format: 'q8', weightBytes: 280000, totalBytes: 640000, fits: true }] },
};

export function progress(step: number, correct: number, N = 4, bestCorrect = correct): Extract<FromWorker, { type: 'progress' }> {
  return {
    type: 'progress',
    step,
    N,
    loss: 10 / step,
    accuracy: correct / N,
    cTokens: correct,
    bestCorrect,
    bestLoss: 9 / step,
    stepsPerSec: 50,
    elapsedMs: step * 20,
    argmax: [5, 6, 7, 8].map((t, i) => (i < correct ? t : 0)),
    decodedText: 'abc',
  };
}

/** A tokens answer for the text 'abcd' (TOKENS_VIEW: the view the page keeps of it). */
export const TOKENS = { ids: [5, 6, 7, 8], pieces: ['a', 'b', 'c', 'd'], maxTokens: 512, tooLong: false };
export const TOKENS_VIEW = { text: 'abcd', ...TOKENS };
