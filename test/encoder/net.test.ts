/**
 * The encoder network on the GPU (src/encoder/net.ts) against its float64 reference
 * (src/reference/encoder.ts): forward E and backward dθ, linear and MLP, shapes off the vec4
 * alignment, and the reference's own gradient against finite differences.
 * Tolerances: f32 accumulation over at most a few hundred terms of unit-scale values, so 2e-5
 * relative to the largest value (measured below 2e-6).
 */
import { describe, it, expect } from 'vitest';
import { Program } from '../../src/gpu/program.ts';
import { EncoderNet, initialParams, paramLayout, type EncoderShape } from '../../src/encoder/net.ts';
import { encoderBackwardRef, encoderForwardRef } from '../../src/reference/encoder.ts';
import { Rng } from '../../src/util/rng.ts';
import { testGpu, upload } from '../helpers/gpu.ts';
import { fdGradient } from '../helpers/fd.ts';

function maxRel(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  return err / Math.max(scale, 1e-30);
}

const SHAPES: [string, EncoderShape, number][] = [
  ['linear, aligned', { inWidth: 64, hiddenWidth: 0, outWidth: 64 }, 8],
  ['MLP, aligned', { inWidth: 128, hiddenWidth: 32, outWidth: 64 }, 16],
  ['MLP, nothing a multiple of 4', { inWidth: 37, hiddenWidth: 13, outWidth: 11 }, 5],
  ['linear, one text', { inWidth: 10, hiddenWidth: 0, outWidth: 6 }, 1],
];

describe('encoder network', () => {
  it('lays θ out in pieces that start on multiples of 4 floats and do not overlap', () => {
    const L = paramLayout({ inWidth: 37, hiddenWidth: 13, outWidth: 11 });
    const pieces = [L.w1, L.b1, L.w2!, L.b2!];
    expect(pieces.map((p) => p.offset % 4)).toEqual([0, 0, 0, 0]);
    expect(pieces.map((p) => p.size)).toEqual([37 * 13, 13, 13 * 11, 11]);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i].offset).toBeGreaterThanOrEqual(pieces[i - 1].offset + pieces[i - 1].size);
    expect(L.total).toBeGreaterThanOrEqual(L.b2!.offset + 11);
  });

  for (const [name, shape, B] of SHAPES) {
    it(`${name}: forward and backward match the float64 reference`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(B);
      const theta = initialParams(shape, 3, 1);
      // Non-zero biases, so a dropped bias term shows.
      const L = paramLayout(shape);
      for (const b of [L.b1, L.b2].filter((x) => x !== null)) theta.set(rng.normalArray(b.size, 0.5), b.offset);
      const X = rng.normalArray(B * shape.inWidth);
      const dE = rng.normalArray(B * shape.outWidth);
      const net = new EncoderNet(gpu, shape, B, theta);
      const x = upload(gpu, [B, shape.inWidth], X);
      // E lands in rows 0..B-1 of a larger table, as in the trainer's params (one more row, the m).
      const out = upload(gpu, [B + 1, shape.outWidth], new Float32Array((B + 1) * shape.outWidth).fill(7));
      const dOut = upload(gpu, [B + 1, shape.outWidth], [...dE, ...new Float32Array(shape.outWidth).fill(1e6)]);
      const p = new Program(gpu, 'encoder-test');
      net.recordForward(p, x, out);
      net.recordBackward(p, x, dOut);
      p.run();
      const [E, grad] = await gpu.readMany([out, net.grad]);
      p.destroy();
      const ref = encoderForwardRef(shape, theta, X, B);
      expect(maxRel(E.subarray(0, B * shape.outWidth), ref.out)).toBeLessThan(2e-5);
      expect(Array.from(E.subarray(B * shape.outWidth))).toEqual(new Array(shape.outWidth).fill(7));
      const gRef = encoderBackwardRef(shape, theta, X, dE, B);
      for (const piece of [L.w1, L.b1, L.w2, L.b2].filter((s) => s !== null)) {
        expect(maxRel(grad.subarray(piece.offset, piece.offset + piece.size), gRef.subarray(piece.offset, piece.offset + piece.size))).toBeLessThan(2e-5);
      }
      net.destroy();
      for (const t of [x, out, dOut]) gpu.destroyTensor(t);
    });
  }

  it('the reference backward is the gradient of Σ dE ⊙ E (float64 finite differences)', () => {
    const shape = { inWidth: 7, hiddenWidth: 5, outWidth: 3 };
    const B = 4;
    const rng = new Rng(11);
    const theta = Float64Array.from(initialParams(shape, 1, 1));
    const X = rng.normalArray(B * 7);
    const dE = rng.normalArray(B * 3);
    const fd = fdGradient((th) => encoderForwardRef(shape, th, X, B).out, theta, dE);
    const g = encoderBackwardRef(shape, theta, X, dE, B);
    expect(maxRel(g, fd)).toBeLessThan(1e-7);
  });

  it('refuses a θ of the wrong size and a shape without inputs', async () => {
    const gpu = await testGpu();
    expect(() => new EncoderNet(gpu, { inWidth: 4, hiddenWidth: 0, outWidth: 4 }, 2, new Float32Array(3))).toThrow(/have 3 values but its shape needs 20/);
    expect(() => new EncoderNet(gpu, { inWidth: 0, hiddenWidth: 0, outWidth: 4 }, 2, new Float32Array(4))).toThrow(/inWidth must be a whole number from 1/);
  });
});
