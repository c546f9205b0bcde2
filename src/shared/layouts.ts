/**
 * How two trainable vectors e and m become the model's input for a text of N tokens (Table 1 of
 * the paper). One description drives both the GPU input builder (which params row feeds each
 * input position) and, through the inverse of that map, the routing of gradients back to e and m.
 */
export const LAYOUTS = {
  'e*N': { label: '[e]×N', extra: 0 },
  'e*N/2,m*N/2': { label: '[e]×(N/2)[m]×(N/2)', extra: 0 },
  '(e,m)*N/2': { label: '[e,m]×(N/2)', extra: 0 },
  'e,m*N': { label: '[e][m]×N', extra: 1 },
  'e,m*(N-1)': { label: '[e][m]×(N-1)', extra: 0 },
} as const;

export type LayoutName = keyof typeof LAYOUTS;
export const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[];
export const DEFAULT_LAYOUT: LayoutName = 'e,m*(N-1)';

/**
 * Which input position predicts the first text token. Eq. 1 of the paper: the output at e
 * (position 0). The Table 1 caption reads the best layout as "e unguided, t_1 the target of the
 * first m" (position 1). METHOD-NOTES asks for both as a setting.
 */
export type FirstTarget = 'e' | 'first-m';

export interface LayoutPlan {
  /** Input length L. */
  length: number;
  /** slot[i] = 0 for e, 1 for m, at each input position. */
  slots: Uint8Array;
  /** target[i] = index into the text's tokens scored at input position i, or -1 when unscored. */
  targetIndex: Int32Array;
}

export function isLayoutName(s: string): s is LayoutName {
  return s in LAYOUTS;
}

/**
 * Input positions a text of N tokens takes: max(pattern length, N + offset), so every one of the N
 * tokens is scored by exactly one position. The one rule planLayout and maxTokensFor share.
 */
export function layoutLength(name: LayoutName, N: number, firstTarget: FirstTarget): number {
  const offset = firstTarget === 'e' ? 0 : 1;
  return N + Math.max(LAYOUTS[name].extra, offset);
}

/** The longest text (in tokens) a layout fits into a model of `maxPositions` input positions. */
export function maxTokensFor(maxPositions: number, layout: LayoutName, firstTarget: FirstTarget): number {
  return Math.max(0, maxPositions - layoutLength(layout, 0, firstTarget));
}

/** The plan of a text of N tokens; positions before the offset and past the text are unscored. */
export function planLayout(name: LayoutName, N: number, firstTarget: FirstTarget = 'e'): LayoutPlan {
  if (!Number.isInteger(N) || N < 1) throw new Error(`A text of ${N} tokens cannot be laid out; it needs at least one token.`);
  const offset = firstTarget === 'e' ? 0 : 1;
  const length = layoutLength(name, N, firstTarget);
  const slots = new Uint8Array(length);
  const half = Math.ceil(length / 2);
  for (let i = 0; i < length; i++) {
    switch (name) {
      case 'e*N':
        slots[i] = 0;
        break;
      case 'e*N/2,m*N/2':
        slots[i] = i < half ? 0 : 1;
        break;
      case '(e,m)*N/2':
        slots[i] = i % 2;
        break;
      case 'e,m*N':
      case 'e,m*(N-1)':
        slots[i] = i === 0 ? 0 : 1;
        break;
    }
  }
  const targetIndex = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    const t = i - offset;
    targetIndex[i] = t >= 0 && t < N ? t : -1;
  }
  return { length, slots, targetIndex };
}
