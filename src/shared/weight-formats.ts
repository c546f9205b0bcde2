/**
 * The weight formats by name: what the settings, the command line and the model panel offer. The
 * layouts, encoders and WGSL readers are in src/model/weight-format.ts and shaders/weights/.
 */
export const WEIGHT_FORMATS = ['f32', 'f16', 'bf16', 'q8', 'q4'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];
/** What a user may ask for: a format, or `auto` (the most precise one that fits: prototokens/memory-plan.ts). */
export type WeightChoice = WeightFormat | 'auto';
export const WEIGHT_CHOICES: readonly WeightChoice[] = [...WEIGHT_FORMATS, 'auto'];

/** One line per format, for --help and the model panel. */
export const WEIGHT_FORMAT_NOTES: Readonly<Record<WeightFormat, string>> = {
  f32: '4 bytes a weight, exact',
  f16: '2 bytes a weight, IEEE half',
  bf16: '2 bytes a weight, bfloat16',
  q8: '1.06 bytes a weight: int8 in groups of 32 with an f16 scale',
  q4: '0.56 bytes a weight: 4-bit in groups of 32 with an f16 scale',
};

export function isWeightFormat(s: string): s is WeightFormat {
  return (WEIGHT_FORMATS as readonly string[]).includes(s);
}

export function isWeightChoice(s: string): s is WeightChoice {
  return s === 'auto' || isWeightFormat(s);
}

/** Formats from most to least precise (`auto` takes the first that fits). */
export const BY_PRECISION: readonly WeightFormat[] = ['f32', 'bf16', 'f16', 'q8', 'q4'];

/** Solutions from before weight formats existed carry none: they were all trained on f32 weights. */
export const FORMAT_BEFORE_FORMATS: WeightFormat = 'f32';

/**
 * A sentence when a solution was trained against another weight format than the loaded model
 * holds (it still loads: same checkpoint, but the quantized model is another function), else null.
 * The command line's decode, the solution panel and the library all say it in these words.
 */
export function weightFormatNote(trained: WeightFormat | undefined, loaded: WeightFormat): string | null {
  const t = trained ?? FORMAT_BEFORE_FORMATS;
  if (t === loaded) return null;
  return `This solution was trained against ${t} weights; the loaded model holds them as ${loaded}, so it may decode differently. Load the model with ${t} weights to reproduce it.`;
}
