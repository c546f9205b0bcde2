import { PAPER_SETTINGS, validateSettings, type ProtoSettings } from '../shared/run-settings.ts';

/**
 * The optimiser settings of a memory-token run: those of the one-shot method (AdamW, lr 0.01,
 * betas 0.9/0.9, weight decay 0.01, 5000 steps, stop at accuracy 1.0, keep the best), without
 * the proto-token layout. A ProtoSettings object is one, so the sweep passes the same settings
 * to both methods.
 */
export type MemorySettings = Omit<ProtoSettings, 'layout' | 'firstTarget'>;

/** PAPER_SETTINGS minus the layout fields. Init 'normal' like the one-shot runs; Kuratov et al. use 'embedding-std'. */
export const MEMORY_SETTINGS: MemorySettings = (({ layout: _l, firstTarget: _f, ...rest }) => rest)(PAPER_SETTINGS);

/** The run table's bounds (prototokens/settings.ts), for the fields a memory run has. */
export function validateMemorySettings(s: MemorySettings): void {
  validateSettings(s);
}
