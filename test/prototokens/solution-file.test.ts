import { weightFormatNote } from '../../src/model/weight-format.ts';
import { describe, it, expect } from 'vitest';
import { encodeSolution, decodeSolutionBytes, checkSolutionFits, runMeta, solutionMeta, LAB_VERSION, SolutionFileError, type Solution } from '../../src/prototokens/solution-file.ts';
import { encodeSafetensors } from '../../src/model/safetensors.ts';

const solution = (): Solution => ({
  e: Float32Array.from([1, -2, 3.5, 0]),
  m: Float32Array.from([0.25, 0, -1, 7]),
  meta: {
    model: 'stories260k',
    modelFingerprint: 'abc123',
    weightFormat: 'f32',
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
    expect(() => checkSolutionFits(s.meta, { id: 'other', fingerprint: 'zzz', spec: { hidden: 4 } })).toThrow(/made with stories260k/);
    expect(() => checkSolutionFits(s.meta, { id: 'wide', fingerprint: 'abc123', spec: { hidden: 8 } })).toThrow(/width 4/);
    expect(() => checkSolutionFits(s.meta, { id: 'same', fingerprint: 'abc123', spec: { hidden: 4 } })).not.toThrow();
  });

  it('refuses vectors holding NaN or an infinity, naming the vector and the index', async () => {
    const s0 = solution();
    const nan = { ...s0, m: Float32Array.from([0.25, Number.NaN, -1, 7]) };
    await expect(decodeSolutionBytes(encodeSolution(nan), 'nan.safetensors')).rejects.toThrow(
      'nan.safetensors: m holds NaN at index 1; the solution is damaged (a run whose loss became non-finite?). Compress the text again.',
    );
    const inf = { ...s0, e: Float32Array.from([1, -2, Infinity, 0]) };
    await expect(decodeSolutionBytes(encodeSolution(inf), 'inf.safetensors')).rejects.toThrow(/e holds Infinity at index 2/);
  });

  it('reads the run fields with one rule for both methods: a blank number or an empty target list is refused, naming the field', async () => {
    const withMeta = (patch: Record<string, string>) => {
      const good = encodeSolution(solution());
      const n = Number(new DataView(good.buffer).getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n)));
      return encodeSafetensors(
        [
          { name: 'e', shape: [4], data: solution().e },
          { name: 'm', shape: [4], data: solution().m },
        ],
        { ...header.__metadata__, ...patch },
      );
    };
    await expect(decodeSolutionBytes(withMeta({ seed: ' ' }), 'blank.safetensors')).rejects.toThrow('blank.safetensors: metadata field seed is missing or not a number.');
    await expect(decodeSolutionBytes(withMeta({ target_ids: '[]' }), 'empty.safetensors')).rejects.toThrow(/target_ids must be a non-empty JSON list/);
  });
});

describe('solution metadata, built in one place', () => {
  const model = { id: 'stories260k', fingerprint: 'abc123', weightFormat: 'f32' as const, spec: { hidden: 4 } };
  const run = { targetIds: [5, 6, 7, 8], text: 'text', seed: 3, steps: 120, loss: 0.5, cTokens: 3, seconds: 1.5 };

  it("takes the model's identity, derives the accuracy from the tokens right and stamps the lab's version", () => {
    const meta = runMeta(model, { lr: 0.01, init: 'normal' }, run, '2026-12-07T00:00:00.000Z');
    expect(meta).toEqual({ model: 'stories260k', modelFingerprint: 'abc123', weightFormat: 'f32', hidden: 4, ...run, lr: 0.01, init: 'normal', accuracy: 0.75, createdAt: '2026-12-07T00:00:00.000Z', labVersion: LAB_VERSION });
  });

  it("adds the one-shot layout, and what it builds is what the file gives back", async () => {
    const meta = solutionMeta(model, { lr: 0.01, init: 'normal', layout: 'e,m*(N-1)', firstTarget: 'first-m' }, run);
    expect(meta).toMatchObject({ layout: 'e,m*(N-1)', firstTarget: 'first-m' });
    const back = await decodeSolutionBytes(encodeSolution({ e: solution().e, m: solution().m, meta }), 'built.safetensors');
    expect(back.meta).toEqual(meta);
  });

  it('records the weight format trained against; files from before formats read as f32; a foreign format is refused', async () => {
    const meta = solutionMeta({ ...model, weightFormat: 'q4' }, { lr: 0.01, init: 'normal', layout: 'e,m*(N-1)', firstTarget: 'e' }, run);
    const bytes = encodeSolution({ e: solution().e, m: solution().m, meta });
    expect((await decodeSolutionBytes(bytes, 'q4.safetensors')).meta.weightFormat).toBe('q4');
    // Same-length edits of the JSON header (latin1 keeps every byte as it is).
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).toContain('"weight_format":"q4",');
    const old = Buffer.from(text.replace('"weight_format":"q4",', ' '.repeat('"weight_format":"q4",'.length)), 'latin1');
    expect((await decodeSolutionBytes(old, 'old.safetensors')).meta.weightFormat).toBe('f32');
    const bad = Buffer.from(text.replace('"weight_format":"q4"', '"weight_format":"q3"'), 'latin1');
    await expect(decodeSolutionBytes(bad, 'bad.safetensors')).rejects.toThrow(/bad\.safetensors: metadata field weight_format is "q3", not one of f32, f16, bf16, q8, q4/);
    expect(weightFormatNote(meta.weightFormat, 'q4')).toBeNull();
    expect(weightFormatNote(meta.weightFormat, 'f32')).toMatch(/trained against q4 weights; the loaded model holds them as f32, so it may decode differently/);
  });
});
