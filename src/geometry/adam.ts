/**
 * Adam (Kingma & Ba) in float64 on the CPU, for the Bezier control point: a single vector of
 * 2d values updated once per step from gradients read back anyway, so a GPU kernel would save
 * nothing. Same update as PyTorch's Adam (AdamW with weight decay 0).
 */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAM_DEFAULTS: Omit<AdamHyper, 'lr'> = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    readonly params: Float64Array,
    readonly hyper: AdamHyper,
  ) {
    this.m = new Float64Array(params.length);
    this.v = new Float64Array(params.length);
  }

  get steps(): number {
    return this.t;
  }

  step(grad: ArrayLike<number>): void {
    if (grad.length !== this.params.length) throw new Error(`Adam got ${grad.length} gradients for ${this.params.length} parameters.`);
    const { lr, beta1, beta2, eps } = this.hyper;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i];
      this.m[i] = beta1 * this.m[i] + (1 - beta1) * g;
      this.v[i] = beta2 * this.v[i] + (1 - beta2) * g * g;
      this.params[i] -= (lr * (this.m[i] / bc1)) / (Math.sqrt(this.v[i] / bc2) + eps);
    }
  }
}
