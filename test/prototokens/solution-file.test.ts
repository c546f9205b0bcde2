import { describe, it, expect } from 'vitest';
import { encodeSolution, decodeSolutionBytes, checkSolutionModel, SolutionFileError, type Solution } from '../../src/prototokens/solution-file.ts';
import { encodeSafetensors } from '../../src/model/safetensors.ts';

const solution = (): Solution => ({
  e: Float32Array.from([1, -2, 3.5, 0]),
  m: Float32Array.from([0.25, 0, -1, 7]),
  meta: {
    model: 'stories260k',
    modelFingerprint: 'abc123',
    hidden: 4,
    layout: 'e,m*(N-1)',
    firstTarget: 'e',
    targetIds: [5, 6, 7],
    text: 'a <b>"quoted"</b> text\nwith ünïcödé',
    seed: 3,
    lr: 0.01,
    init: 'normal',
    steps: 120,
    loss: 0.5,
    accuracy: 1,
    cTokens: 3,
    seconds: 1.5,
    createdAt: '2026-11-28T00:00:00.000Z',
    labVersion: '0.1.0',
  },
});

describe('solution files (.safetensors)', () => {
  it('round-trips vectors and metadata exactly', async () => {
    const s = solution();
    const back = await decodeSolutionBytes(encodeSolution(s), 'x.safetensors');
    expect(Array.from(back.e)).toEqual(Array.from(s.e));
    expect(Array.from(back.m)).toEqual(Array.from(s.m));
    expect(back.meta).toEqual(s.meta);
  });

  it('is plain safetensors: an 8-byte header length, JSON with F32 e and m of shape [d], string metadata', () => {
    const bytes = encodeSolution(solution());
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.e).toEqual({ dtype: 'F32', shape: [4], data_offsets: [0, 16] });
    expect(header.m).toEqual({ dtype: 'F32', shape: [4], data_offsets: [16, 32] });
    for (const v of Object.values(header.__metadata__)) expect(typeof v).toBe('string');
    expect(bytes.length).toBe(8 + n + 32);
  });

  it('refuses damaged files, other safetensors and another model', async () => {
    const good = encodeSolution(solution());
    await expect(decodeSolutionBytes(good.subarray(0, good.length - 5), 'cut.safetensors')).rejects.toThrow(SolutionFileError);
    const plain = encodeSafetensors([{ name: 'w', shape: [2], data: Float32Array.from([1, 2]) }]);
    await expect(decodeSolutionBytes(plain, 'weights.safetensors')).rejects.toThrow(/not a proto-token solution/);
    const s = await decodeSolutionBytes(good, 'ok.safetensors');
    expect(() => checkSolutionModel(s, { id: 'other', fingerprint: 'zzz', spec: { hidden: 4 } })).toThrow(/made with stories260k/);
    expect(() => checkSolutionModel(s, { id: 'wide', fingerprint: 'abc123', spec: { hidden: 8 } })).toThrow(/width 4/);
    expect(() => checkSolutionModel(s, { id: 'same', fingerprint: 'abc123', spec: { hidden: 4 } })).not.toThrow();
  });
});
