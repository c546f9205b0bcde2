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
