import { describe, expect, it } from 'vitest';
import { planExperiment, ExperimentSpecError } from '../../src/experiments/jobs/plan.ts';
import { checkExperimentSpec, parseLengths, type ExperimentSpec } from '../../src/shared/experiment-spec.ts';
import { LAYOUT_NAMES } from '../../src/shared/layouts.ts';

const base: ExperimentSpec = {
  kind: 'capacity', method: 'oneshot', memoryTokens: 1, source: 'pg19', files: [], texts: 4, seeds: 1, textSeed: 0, steps: 300, lr: 0.01,
  lengths: [], maxLength: 0, layout: 'e,m*(N-1)', firstTarget: 'e', share: 'm', groups: [1, 4], progressive: false,
};

describe('experiment specs and their sweeps', () => {
  it('capacity: one climbing sweep with the step budget and learning rate given', () => {
    const [p, ...rest] = planExperiment({ ...base, maxLength: 8, steps: 50, lr: 0.02 });
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ keepGoing: false, share: 'none', group: 1, maxLength: 8, lengths: undefined });
    expect(p.settings).toMatchObject({ maxSteps: 50, lr: 0.02, layout: 'e,m*(N-1)' });
    expect(p.method.name).toBe('oneshot');
  });

  it('layouts: every layout at the fixed lengths; the memory method is one row', () => {
    const plan = planExperiment({ ...base, kind: 'layouts', lengths: [1, 2, 4] });
    expect(plan.map((p) => p.settings.layout)).toEqual(LAYOUT_NAMES);
    expect(plan.every((p) => p.keepGoing && p.lengths?.join() === '1,2,4')).toBe(true);
    const mem = planExperiment({ ...base, kind: 'layouts', lengths: [4], method: 'memory', memoryTokens: 2 });
    expect(mem).toHaveLength(1);
    expect(mem[0].method).toMatchObject({ name: 'memory', memoryTokens: 2 });
  });

  it('sharing: one sweep per group size, group 1 shares nothing', () => {
    const plan = planExperiment({ ...base, kind: 'sharing', lengths: [4], groups: [4, 1], share: 'e', texts: 4 });
    expect(plan.map((p) => [p.share, p.group])).toEqual([['none', 1], ['e', 4]]);
  });

  it('refuses what cannot run, naming the field and what to do', () => {
    const problems = (s: Partial<ExperimentSpec>) => checkExperimentSpec({ ...base, ...s }).join(' ');
    expect(problems({ kind: 'layouts' })).toMatch(/fixed lengths: give them/);
    expect(problems({ kind: 'sharing', lengths: [4], method: 'memory' })).toMatch(/memory-token method shares nothing/);
    expect(problems({ kind: 'sharing', lengths: [4], groups: [16], texts: 4 })).toMatch(/largest group has 16 texts but only 4/);
    expect(problems({ source: 'files' })).toMatch(/no texts: paste a text or pick \.txt files/);
    expect(problems({ texts: 0, seeds: 65 })).toMatch(/Texts must be.*Seeds must be/);
    expect(problems({ source: 'web' as ExperimentSpec['source'] })).toMatch(/Text source must be one of pg19, .*, files\./);
    expect(checkExperimentSpec(base)).toEqual([]);
    expect(() => planExperiment({ ...base, texts: 0 })).toThrow(ExperimentSpecError);
  });

  it('progressive (issue 19): every planned sweep warm-starts; refused with the memory method and with sharing', () => {
    expect(planExperiment(base)[0].init).toBe('normal');
    const [p] = planExperiment({ ...base, progressive: true });
    expect(p).toMatchObject({ init: 'progressive', keepGoing: false, label: 'capacity, oneshot, progressive' });
    expect(planExperiment({ ...base, kind: 'layouts', lengths: [4, 8], progressive: true }).every((x) => x.init === 'progressive')).toBe(true);
    const problems = (s: Partial<ExperimentSpec>) => checkExperimentSpec({ ...base, progressive: true, ...s }).join(' ');
    expect(problems({ method: 'memory' })).toBe('Progressive starts warm-start the proto-tokens e and m of the one-shot method: the memory-token method has none.');
    expect(problems({ kind: 'sharing', lengths: [4] })).toBe('Progressive starts are for texts that share nothing: run sharing without them.');
    expect(problems({ progressive: 'yes' as unknown as boolean })).toBe('Progressive must be true or false.');
  });

  it('lengths as typed', () => {
    expect(parseLengths('8, 4 4,1')).toEqual([1, 4, 8]);
    expect(parseLengths('')).toEqual([]);
    expect(parseLengths('4,0')).toMatch(/"0" is not a length/);
    expect(parseLengths('2.5')).toMatch(/"2.5" is not a length/);
  });
});
