/**
 * The interpolate view's settings: part of LabSettings (so the URL restores the pair, the scan
 * resolution and the Bezier training settings), with the checks the URL parser and the form share.
 */
import { type BezierSettings } from '../worker/protocol.ts';
import { BEZIER_DEFAULTS } from '../shared/bezier-settings.ts';

export interface InterpSettings {
  /** Library ids of the two endpoints ('' until picked). */
  interpA: string;
  interpB: string;
  /** Points of a scan along tau in [0, 1]. */
  interpResolution: number;
  bezLr: number;
  bezSteps: number;
  bezSamples: number;
  bezSeed: number;
  /** Where the tau slider stands. */
  interpTau: number;
}

export const INTERP_DEFAULTS: InterpSettings = {
  interpA: '',
  interpB: '',
  interpResolution: 21,
  bezLr: BEZIER_DEFAULTS.lr,
  bezSteps: BEZIER_DEFAULTS.steps,
  bezSamples: BEZIER_DEFAULTS.samples,
  bezSeed: BEZIER_DEFAULTS.seed,
  interpTau: 0.5,
};

/** URL parameter of each field. */
export const INTERP_FIELD_KEYS: Record<keyof InterpSettings, string> = {
  interpA: 'pair_a',
  interpB: 'pair_b',
  interpResolution: 'scan_points',
  bezLr: 'bez_lr',
  bezSteps: 'bez_steps',
  bezSamples: 'bez_samples',
  bezSeed: 'bez_seed',
  interpTau: 'tau',
};

export const MAX_SCAN_POINTS = 1001;
export const MAX_BEZIER_STEPS = 100_000;

export function isInterpField(key: string): key is keyof InterpSettings {
  return Object.hasOwn(INTERP_FIELD_KEYS, key);
}

const whole = (v: unknown, lo: number, hi: number, what: string) => (Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi ? null : `${what} must be a whole number from ${lo} to ${hi}`);

/** Why a value is not acceptable for an interpolate field, or null when it is. */
export function checkInterpField(key: keyof InterpSettings, v: unknown): string | null {
  switch (key) {
    case 'interpA':
    case 'interpB':
      return typeof v === 'string' && v.length <= 100 ? null : 'a pair id must be a library id';
    case 'interpResolution':
      return whole(v, 2, MAX_SCAN_POINTS, 'scan points');
    case 'bezLr':
      return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 10 ? null : 'Bezier lr must be a positive number (at most 10)';
    case 'bezSteps':
      return whole(v, 1, MAX_BEZIER_STEPS, 'Bezier steps');
    case 'bezSamples':
      return whole(v, 1, 256, 'tau samples per step');
    case 'bezSeed':
      return whole(v, 0, 0xffffffff, 'Bezier seed');
    case 'interpTau':
      return typeof v === 'number' && v >= 0 && v <= 1 ? null : 'tau must be a number from 0 to 1';
  }
}

export function bezierSettingsOf(s: InterpSettings): BezierSettings {
  return { lr: s.bezLr, steps: s.bezSteps, samples: s.bezSamples, seed: s.bezSeed };
}
