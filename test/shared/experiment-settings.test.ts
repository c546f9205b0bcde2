import { describe, expect, it } from 'vitest';
import { EXPERIMENT_FIELDS, checkExperimentSpec, type ExperimentForm } from '../../src/shared/experiment-spec.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import type { Field } from '../../src/shared/fields.ts';
import { flagValue } from '../../src/cli/settings-flags.ts';
import { DEFAULT_SETTINGS, settingsFromQuery } from '../../src/ui/url-state.ts';
import { EXPERIMENT_DEFAULTS, toExperimentSpec } from '../../src/ui/experiments-settings.ts';
import { probes } from '../helpers/field-probes.ts';

const fields = Object.entries(EXPERIMENT_FIELDS) as [keyof ExperimentForm, Field][];
const specOf = (s: typeof DEFAULT_SETTINGS) => toExperimentSpec({ ...s, expKind: 'sharing', expLengths: s.expLengths || '4', expTexts: s.expTexts === EXPERIMENT_DEFAULTS.expTexts ? 1000 : s.expTexts }, []);

describe('one table of experiment settings, three doors', () => {
  it("the page's defaults are the table's", () => {
    for (const [key, f] of fields) expect(EXPERIMENT_DEFAULTS[`exp${key[0].toUpperCase()}${key.slice(1)}` as keyof typeof EXPERIMENT_DEFAULTS], key).toBe(f.fallback);
  });

  it.each(fields.map(([key, f]) => [key, f] as const))('%s: the page, the sweep command and the worker\'s spec check agree on every value', (key, f) => {
    for (const raw of probes(f)) {
      const page = settingsFromQuery(`${f.url}=${encodeURIComponent(raw)}`);
      const pageOk = page.problems.length === 0;
      if (f.flag) {
        let cliOk = true;
        try {
          flagValue(f, { [f.flag]: raw });
        } catch (e) {
          cliOk = false;
          expect((e as Error).message).toBe(`--${f.flag} ${f.check(f.parse(raw))}, got "${raw}".`);
        }
        expect(cliOk, `--${f.flag} ${JSON.stringify(raw)}: page ${pageOk}`).toBe(pageOk);
      }
      // The worker checks the spec the page would send: no complaint about this field's own bounds
      // (rules between fields, e.g. a group larger than the texts, are the spec's alone).
      const sentence = `${f.label[0].toUpperCase()}${f.label.slice(1)} must`;
      if (pageOk) {
        expect(checkExperimentSpec(specOf(page.settings)).filter((m) => m.startsWith(sentence)), `${key}=${JSON.stringify(raw)}`).toEqual([]);
      } else {
        expect(page.problems[0]).toBe(`ignored ${f.url}=${raw}: ${f.label} ${f.check(f.parse(raw))}`);
      }
    }
  });

  it('the worker refuses a spec outside the table with the same words, capitalised as a sentence', () => {
    const base = specOf(DEFAULT_SETTINGS);
    expect(checkExperimentSpec(base)).toEqual([]);
    expect(checkExperimentSpec({ ...base, seeds: 65 })).toEqual(['Seeds must be a whole number from 1 to 64.']);
    expect(checkExperimentSpec({ ...base, steps: 100_001 })).toEqual(['Steps must be a whole number from 1 to 100000.']);
    expect(checkExperimentSpec({ ...base, lr: 0 })).toEqual([`Lr must be a number above 0 and at most 10.`]);
    expect(checkExperimentSpec({ ...base, groups: [1, 1001] })).toEqual(['Group sizes must be whole numbers from 1 to 1000, separated by commas ("1001" is not).']);
    expect(PAPER_SETTINGS.lr).toBe(0.01);
  });

  it('progressive is a switch: a checkbox on the page, true/false in the URL, --progressive alone on the command line', () => {
    const f = EXPERIMENT_FIELDS.progressive;
    expect(f.fallback).toBe(false);
    expect(flagValue(f, { progressive: true })).toBe(true);
    expect(flagValue(f, {})).toBeUndefined();
    expect(settingsFromQuery('exp_progressive=true').settings.expProgressive).toBe(true);
    const on = { ...DEFAULT_SETTINGS, expProgressive: true };
    expect(toExperimentSpec(on, []).progressive).toBe(true);
    // The page sends it only where it applies (the form shows it there), so a switch left on does not block another run.
    expect(toExperimentSpec({ ...on, expMethod: 'memory' }, []).progressive).toBe(false);
    expect(toExperimentSpec({ ...on, expKind: 'sharing' }, []).progressive).toBe(false);
  });
});

