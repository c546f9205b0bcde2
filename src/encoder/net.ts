/**
 * The encoder's trainable part: a one-hidden-layer MLP (or, with no hidden width, a linear map)
 * from a text's standardised features to its proto-token e. Forward, backward and AdamW are
 * recorded into the caller's Program, so one training step (encoder → frozen model → back into
 * the encoder) is still one submission.
 *
 * Shapes (B texts, F features, H hidden units, d = the model's hidden size):
 *   X   [B, F]  features (features.ts)
 *   pre [B, H] = X·W1 + b1          W1 [F, H], b1 [H]
 *   act [B, H] = GELU(pre)          (exact GELU)
 *   E   [B, d] = act·W2 + b2        W2 [H, d], b2 [d]      (linear: E = X·W1 + b1, W1 [F, d])
 * Backward, given dE [B, d] (the trainer's gradient at the e rows):
 *   dW2 = actᵀ·dE    db2 = Σ_b dE    dAct = dE·W2ᵀ    dPre = dAct·GELU'(pre)
 *   dW1 = Xᵀ·dPre    db1 = Σ_b dPre
 * All parameters live in one flat vector θ = [W1 | b1 | W2 | b2] (each piece starting on a multiple
 * of 4 floats, so the vec4 matmul paths apply), and one AdamW update covers it.
 * The float64 reference is src/reference/encoder.ts.
 */
import type { Gpu } from '../gpu/gpu.ts';
import type { Program } from '../gpu/program.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { matmul } from '../ops/matmul.ts';
import { geluBackward, geluForward } from '../ops/activations.ts';
import { columnSum, weightGrad } from '../ops/weight-grad.ts';
import { adamwTick, adamwUpdate, type AdamWHyper } from '../ops/adamw.ts';
import { Rng } from '../util/rng.ts';

export interface EncoderShape {
  /** F: feature width. */
  inWidth: number;
  /** H: hidden units; 0 makes the encoder linear. */
  hiddenWidth: number;
  /** d: the model's hidden size (the width of e). */
  outWidth: number;
}

export interface Slice {
  offset: number;
  size: number;
}

export interface ParamLayout {
  w1: Slice;
  b1: Slice;
  /** Absent for a linear encoder. */
  w2: Slice | null;
  b2: Slice | null;
  total: number;
}

const up4 = (n: number) => Math.ceil(n / 4) * 4;

export function paramLayout(s: EncoderShape): ParamLayout {
  const H = s.hiddenWidth;
  const first = H > 0 ? H : s.outWidth;
  let at = 0;
  const take = (size: number): Slice => {
    const sl = { offset: at, size };
    at = up4(at + size);
    return sl;
  };
  const w1 = take(s.inWidth * first);
  const b1 = take(first);
  const w2 = H > 0 ? take(H * s.outWidth) : null;
  const b2 = H > 0 ? take(s.outWidth) : null;
  return { w1, b1, w2, b2, total: at };
}

/**
 * Starting θ: weights drawn so that every layer keeps unit variance on standardised inputs (GELU
 * layer: He, 2/fan-in), scaled at the output to `outStd`, the std proto-tokens start with; biases 0.
 */
export function initialParams(s: EncoderShape, seed: number, outStd: number): Float32Array {
  const L = paramLayout(s);
  const theta = new Float32Array(L.total);
  const rng = new Rng(seed);
  if (L.w2) {
    theta.set(rng.normalArray(L.w1.size, Math.sqrt(2 / s.inWidth)), L.w1.offset);
    theta.set(rng.normalArray(L.w2.size, outStd / Math.sqrt(s.hiddenWidth)), L.w2.offset);
  } else {
    theta.set(rng.normalArray(L.w1.size, outStd / Math.sqrt(s.inWidth)), L.w1.offset);
  }
  return theta;
}

/** An m head: the output is e | m (width 2d) rather than e alone. */
export function hasMHead(s: EncoderShape, hidden: number): boolean {
  return s.outWidth === 2 * hidden;
}

export function checkShape(s: EncoderShape): void {
  for (const [k, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 0 || (k !== 'hiddenWidth' && v < 1)) throw new Error(`Encoder ${k} must be a whole number${k === 'hiddenWidth' ? '' : ' from 1'}, got ${v}.`);
  }
}

/** What only training needs: θ's gradient, AdamW's state and the backward's scratch. */
interface TrainingBuffers {
  grad: Tensor;
  adamM: Tensor;
  adamV: Tensor;
  step: Tensor;
  dAct: Tensor | null;
  dPre: Tensor | null;
}

/**
 * θ on the GPU and the activations of a batch of B texts; for training (the default) also its
 * gradient and AdamW's state. A net made only to predict (`train` false) allocates none of those.
 */
export class EncoderNet {
  readonly layout: ParamLayout;
  readonly theta: Tensor;
  private readonly pre: Tensor | null;
  private readonly act: Tensor | null;
  private readonly training: TrainingBuffers | null;
  private readonly owned: Tensor[] = [];

  constructor(
    private readonly gpu: Gpu,
    readonly shape: EncoderShape,
    /** Texts per batch. */
    readonly B: number,
    theta: Float32Array,
    train = true,
  ) {
    checkShape(shape);
    const L = (this.layout = paramLayout(shape));
    if (theta.length !== L.total) throw new Error(`The encoder's parameters have ${theta.length} values but its shape needs ${L.total}.`);
    const t = (shape: number[], label: string, dtype: 'f32' | 'u32' = 'f32') => {
      const x = gpu.createTensor(shape, dtype, `encoder.${label}`);
      this.owned.push(x);
      return x;
    };
    this.theta = t([L.total], 'theta');
    gpu.write(this.theta, theta);
    const H = shape.hiddenWidth;
    this.pre = H > 0 ? t([B, H], 'pre') : null;
    this.act = H > 0 ? t([B, H], 'act') : null;
    this.training = train
      ? {
          grad: t([L.total], 'grad'),
          adamM: t([L.total], 'adam_m'),
          adamV: t([L.total], 'adam_v'),
          step: t([1], 'adam_step', 'u32'),
          dAct: H > 0 ? t([B, H], 'd_act') : null,
          dPre: H > 0 ? t([B, H], 'd_pre') : null,
        }
      : null;
  }

  /** dLoss/dθ as of the last recorded backward. */
  get grad(): Tensor {
    return this.trainingBuffers().grad;
  }

  private trainingBuffers(): TrainingBuffers {
    if (!this.training) throw new Error('This encoder network was made to predict only; it has no gradient or optimiser state.');
    return this.training;
  }

  /** E [B, d] into rows 0..B-1 of `out` (row stride d) from X [B, F]. */
  recordForward(p: Program, x: Tensor, out: Tensor): void {
    const { B, layout: L, shape: s } = this;
    const th = this.theta;
    if (!L.w2) {
      matmul(p, 'encoder.linear', { a: x, b: th, c: out, bias: th, M: B, N: s.outWidth, K: s.inWidth, transposeB: false, bOffset: L.w1.offset, biasOffset: L.b1.offset });
      return;
    }
    const H = s.hiddenWidth;
    matmul(p, 'encoder.w1', { a: x, b: th, c: this.pre!, bias: th, M: B, N: H, K: s.inWidth, transposeB: false, bOffset: L.w1.offset, biasOffset: L.b1.offset });
    geluForward(p, 'encoder.gelu', { x: this.pre!, y: this.act!, n: B * H });
    matmul(p, 'encoder.w2', { a: this.act!, b: th, c: out, bias: th, M: B, N: s.outWidth, K: H, transposeB: false, bOffset: L.w2.offset, biasOffset: L.b2!.offset });
  }

  /** grad = dLoss/dθ from dE = rows 0..B-1 of `dOut` (row stride d); X as given to the forward. */
  recordBackward(p: Program, x: Tensor, dOut: Tensor): void {
    const { B, layout: L, shape: s } = this;
    const { grad, dAct, dPre } = this.trainingBuffers();
    const d = s.outWidth;
    if (!L.w2) {
      weightGrad(p, 'encoder.linear.dw', { a: x, b: dOut, c: grad, M: B, K: s.inWidth, N: d, cOffset: L.w1.offset });
      columnSum(p, 'encoder.linear.db', { b: dOut, c: grad, M: B, N: d, cOffset: L.b1.offset });
      return;
    }
    const H = s.hiddenWidth;
    weightGrad(p, 'encoder.w2.dw', { a: this.act!, b: dOut, c: grad, M: B, K: H, N: d, cOffset: L.w2.offset });
    columnSum(p, 'encoder.w2.db', { b: dOut, c: grad, M: B, N: d, cOffset: L.b2!.offset });
    matmul(p, 'encoder.w2.dx', { a: dOut, b: this.theta, c: dAct!, M: B, N: H, K: d, transposeB: true, bOffset: L.w2.offset, ldb: d });
    geluBackward(p, 'encoder.gelu.bwd', { x: this.pre!, dy: dAct!, dx: dPre!, n: B * H });
    weightGrad(p, 'encoder.w1.dw', { a: x, b: dPre!, c: grad, M: B, K: s.inWidth, N: H, cOffset: L.w1.offset });
    columnSum(p, 'encoder.w1.db', { b: dPre!, c: grad, M: B, N: H, cOffset: L.b1.offset });
  }

  /** One AdamW step of θ with its own counter. */
  recordUpdate(p: Program, hyper: AdamWHyper): void {
    const n = this.layout.total;
    const { grad, adamM, adamV, step } = this.trainingBuffers();
    adamwTick(p, 'encoder.adamw.tick', { step });
    adamwUpdate(p, 'encoder.adamw', { params: this.theta, grads: grad, m: adamM, v: adamV, step, n, dim: n, hyper });
  }

  read(): Promise<Float32Array> {
    return this.gpu.read(this.theta);
  }

  destroy(): void {
    for (const x of this.owned) this.gpu.destroyTensor(x);
    this.owned.length = 0;
  }
}
