/**
 * The encoder's features (src/encoder/features.ts) and its file (src/encoder/file.ts) on
 * stories260k: pools read the right hidden states, a file round-trips and refuses what is not
 * one, or another model's.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadModel } from '../../src/model/load.ts';
import type { Model } from '../../src/model/model.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';
import { hiddenStates } from '../../src/model/hidden-states.ts';
import { featureStats, pool, standardise, textFeatures, type FeatureSpec } from '../../src/encoder/features.ts';
import { initialParams } from '../../src/encoder/net.ts';
import { decodeEncoderBytes, encodeEncoder, encoderMeta, type Encoder } from '../../src/encoder/file.ts';
import { encodeSafetensors } from '../../src/model/safetensors.ts';
import { loadReferenceModel, NONE } from '../../src/reference/model.ts';
import { testGpu } from '../helpers/gpu.ts';
import { FIXTURES, STORIES } from '../helpers/fixtures.ts';

const TEXT = [403, 407, 261, 378, 383, 286, 261, 376];

describe('encoder features', () => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
  });

  it('flat features are the text’s rows of the final hidden states (the BOS row read, not pooled); the last row predicts what the reference model predicts', async () => {
    const [h] = await hiddenStates(model, [[1, ...TEXT]]);
    const d = model.spec.hidden;
    const f: FeatureSpec = { layer: model.spec.layers, pool: 'flat', length: 8, bos: 1 };
    const [x] = [await textFeatures(model, [TEXT], f)];
    expect(Array.from(x)).toEqual(Array.from(h.subarray(d)));
    // 'last' of the final states is what the output matrix reads at the last position: its argmax
    // is the reference model's next-token prediction there.
    const ref = await loadReferenceModel(nodeFolderSource(STORIES));
    const r = ref.forward(ref.embed([1, ...TEXT]), new Uint32Array(9).fill(NONE));
    const last = pool(h, d, { ...f, pool: 'last' });
    const W = ref.embed(Array.from({ length: model.spec.vocabSize }, (_, i) => i)); // tied head
    let best = -1;
    let bestV = -Infinity;
    for (let v = 0; v < model.spec.vocabSize; v++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += W[v * d + j] * last[j];
      if (s > bestV) [best, bestV] = [v, s];
    }
    expect(best).toBe(r.argmax[8]);
  });

  it('pools: mean and last of the text rows, both for mean-last; layer 0 is the token embeddings', async () => {
    const d = model.spec.hidden;
    const [h] = await hiddenStates(model, [TEXT], 0);
    const ref = await loadReferenceModel(nodeFolderSource(STORIES));
    const emb = ref.embed(TEXT);
    for (let i = 0; i < emb.length; i++) expect(h[i]).toBeCloseTo(emb[i], 6);
    const f: FeatureSpec = { layer: 0, pool: 'mean-last', length: 8, bos: null };
    const x = pool(h, d, f);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < 8; i++) s += h[i * d + j];
      expect(x[j]).toBeCloseTo(s / 8, 5);
      expect(x[d + j]).toBe(h[7 * d + j]);
    }
    expect(() => pool(h, d, { ...f, length: 6 })).toThrow(/A text of 8 tokens cannot be encoded by an encoder for 6 tokens/);
  });

  it('standardises columns to mean 0 and std 1, a constant column to 0', () => {
    const x = Float32Array.from([1, 5, 3, 5, 5, 5]); // 3 rows of 2 columns; column 1 constant
    const s = featureStats(x, 2);
    expect(Array.from(s.std)).toEqual([Math.fround(Math.sqrt(8 / 3)), 1]);
    standardise(x, s);
    expect(x[0] + x[2] + x[4]).toBeCloseTo(0, 6);
    expect([x[1], x[3], x[5]]).toEqual([0, 0, 0]);
  });
});

describe('encoder file', () => {
  let model: Model;
  let enc: Encoder;
  beforeAll(async () => {
    model = await loadModel(await testGpu(), nodeFolderSource(STORIES));
    const shape = { inWidth: 128, hiddenWidth: 12, outWidth: 64 };
    enc = {
      shape,
      features: { layer: 3, pool: 'mean-last', length: 16, bos: 1 },
      stats: { mean: new Float32Array(128).fill(0.5), std: new Float32Array(128).fill(2) },
      theta: initialParams(shape, 1, 1),
      m: new Float32Array(64).fill(0.25),
      meta: encoderMeta(model, { source: 'pg19-windows', texts: 100, heldOut: 10, steps: 5, batch: 4, lr: 1e-3, mLr: 0.01, freezeM: false, normPenalty: 0.05, seed: 0, trainAccuracy: 0.1, heldOutAccuracy: 0.05 }),
    };
  });

  it('round-trips every tensor and field', async () => {
    const back = await decodeEncoderBytes(encodeEncoder(enc), 'enc.safetensors', model);
    expect(back.shape).toEqual(enc.shape);
    expect(back.features).toEqual(enc.features);
    expect(Array.from(back.theta)).toEqual(Array.from(enc.theta));
    expect(Array.from(back.stats.std)).toEqual(Array.from(enc.stats.std));
    expect(Array.from(back.m)).toEqual(Array.from(enc.m));
    expect(back.meta).toEqual(enc.meta);
  });

  it('reads a file from before the norm penalty existed as trained without one', async () => {
    const bytes = encodeEncoder(enc);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    delete header.__metadata__.norm_penalty;
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(n, ' '));
    expect(json.length).toBe(n);
    const old = new Uint8Array(bytes);
    old.set(json, 8);
    expect((await decodeEncoderBytes(old, 'old.safetensors', model)).meta.normPenalty).toBe(0);
  });

  it('refuses another model’s encoder, a file that is not one, and a damaged tensor, each by name', async () => {
    const other = await loadModel(await testGpu(), nodeFolderSource(`${FIXTURES}llama-gqa-untied`));
    await expect(decodeEncoderBytes(encodeEncoder(enc), 'enc.safetensors', other)).rejects.toThrow(/This encoder has width 64 \(made with .*stories260k\).*Load the model it was made with/);
    other.destroy();
    const notOne = encodeSafetensors([{ name: 'm', shape: [64], data: new Float32Array(64) }], { format: 'protolab-universal-m/1' });
    await expect(decodeEncoderBytes(notOne, 'm.safetensors', model)).rejects.toThrow(/m.safetensors is not an encoder .*protolab encoder train/);
    const bytes = encodeEncoder({ ...enc, m: new Float32Array(64).fill(NaN) });
    await expect(decodeEncoderBytes(bytes, 'nan.safetensors', model)).rejects.toThrow(/nan.safetensors/);
    const wrongWidth = encodeEncoder({ ...enc, features: { ...enc.features, pool: 'mean' } });
    await expect(decodeEncoderBytes(wrongWidth, 'w.safetensors', model)).rejects.toThrow(/tensor w1 should have shape \[64, 12\] but has \[128, 12\]/);
  });
});
