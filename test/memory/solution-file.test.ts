import { describe, it, expect } from 'vitest';
import {
  encodeMemorySolution,
  decodeMemorySolutionBytes,
  decodeAnySolutionBytes,
  type MemorySolution,
} from '../../src/memory/solution-file.ts';
import { checkSolutionFits, encodeSolution, SolutionFileError } from '../../src/prototokens/solution-file.ts';
import { encodeSafetensors } from '../../src/model/safetensors.ts';

const meta = {
  model: 'stories260k',
  modelFingerprint: 'abc123',
  weightFormat: 'f32' as const,
  hidden: 3,
  K: 2,
  targetIds: [5, 6, 7, 8],
  text: 'a "quoted" text\nwith ünïcödé',
  seed: 4,
  lr: 0.01,
  init: 'embedding-std',
  steps: 300,
  loss: 0.25,
  accuracy: 1,
  cTokens: 4,
  seconds: 2.5,
  createdAt: '2026-11-28T00:00:00.000Z',
  labVersion: '0.1.0',
};
const solution = (): MemorySolution => ({ memory: Float32Array.from([1, -2, 3.5, 0, 0.25, -7]), meta: { ...meta } });

function header(bytes: Uint8Array): Record<string, unknown> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

describe('memory-token solution files (.safetensors)', () => {
  it('round-trips the memory and metadata exactly', async () => {
    const s = solution();
    const back = await decodeMemorySolutionBytes(encodeMemorySolution(s), 'mem.safetensors');
    expect(Array.from(back.memory)).toEqual(Array.from(s.memory));
    expect(back.meta).toEqual(s.meta);
  });

  it('is plain safetensors: tensor memory F32 [K, hidden], string metadata with method "memory"', () => {
    const h = header(encodeMemorySolution(solution()));
    expect(h.memory).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const md = h.__metadata__ as Record<string, unknown>;
    expect(md.method).toBe('memory');
    expect(md.format).toBe('protolab-solution/1');
    expect(md.memory_tokens).toBe('2');
    for (const v of Object.values(md)) expect(typeof v).toBe('string');
  });

  it('decodeAnySolutionBytes tells the methods apart', async () => {
    const mem = await decodeAnySolutionBytes(encodeMemorySolution(solution()), 'mem.safetensors');
    expect(mem.method).toBe('memory');
    const one = encodeSolution({
      e: Float32Array.from([1, 2, 3]),
      m: Float32Array.from([4, 5, 6]),
      meta: { ...meta, layout: 'e,m*(N-1)', firstTarget: 'e' },
    });
    const back = await decodeAnySolutionBytes(one, 'one.safetensors');
    expect(back.method).toBe('oneshot');
    if (back.method === 'oneshot') expect(Array.from(back.solution.m)).toEqual([4, 5, 6]);
  });

  it('refuses damaged files, wrong shapes, unknown methods and another model', async () => {
    const good = encodeMemorySolution(solution());
    await expect(decodeMemorySolutionBytes(good.subarray(0, good.length - 4), 'cut.safetensors')).rejects.toThrow(SolutionFileError);
    const md = header(good).__metadata__ as Record<string, string>;
    const lying = encodeSafetensors([{ name: 'memory', shape: [3, 2], data: solution().memory }], md);
    await expect(decodeMemorySolutionBytes(lying, 'lying.safetensors')).rejects.toThrow(/disagree with the memory tensor's shape/);
    const odd = encodeSafetensors([{ name: 'memory', shape: [2, 3], data: solution().memory }], { ...md, method: 'diffusion' });
    await expect(decodeAnySolutionBytes(odd, 'odd.safetensors')).rejects.toThrow(/unknown solution method "diffusion"/);
    const plain = encodeSafetensors([{ name: 'w', shape: [2], data: Float32Array.from([1, 2]) }]);
    await expect(decodeMemorySolutionBytes(plain, 'w.safetensors')).rejects.toThrow(/not a memory-token solution/);
    expect(() => encodeMemorySolution({ ...solution(), memory: new Float32Array(5) })).toThrow(/need 6/);
    const s = await decodeMemorySolutionBytes(good, 'ok.safetensors');
    expect(() => checkSolutionFits(s.meta, { id: 'other', fingerprint: 'zzz', spec: { hidden: 3 } })).toThrow(/made with stories260k/);
    expect(() => checkSolutionFits(s.meta, { id: 'wide', fingerprint: 'abc123', spec: { hidden: 8 } })).toThrow(/width 3/);
    expect(() => checkSolutionFits(s.meta, { id: 'same', fingerprint: 'abc123', spec: { hidden: 3 } })).not.toThrow();
  });
});
