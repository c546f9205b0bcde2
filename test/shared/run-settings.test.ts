import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PAPER_SETTINGS, RUN_FIELDS, validateSettings, type ProtoSettings } from '../../src/shared/run-settings.ts';
import { choiceField, flagHelp, numberField, wholeField, type Field } from '../../src/shared/fields.ts';
import { settingsFromFlags } from '../../src/cli/settings-flags.ts';
import { settingsFromQuery, toProtoSettings } from '../../src/ui/url-state.ts';
import { ROOT } from '../helpers/imports.ts';
import { probes } from '../helpers/field-probes.ts';

const fields = Object.values<Field>(RUN_FIELDS);

describe('one table of run settings, three doors', () => {
  it("every ProtoSettings key has a field, and the defaults are the paper's", () => {
    expect(Object.keys(RUN_FIELDS).sort()).toEqual(Object.keys(PAPER_SETTINGS).sort());
    expect(PAPER_SETTINGS).toEqual({
      layout: 'e,m*(N-1)', firstTarget: 'e', seed: 0, init: 'normal', lr: 0.01, beta1: 0.9, beta2: 0.9, eps: 1e-8, weightDecay: 0.01, maxSteps: 5000, reportEvery: 10, patience: 0,
    });
    for (const f of fields) expect(f.check(f.fallback), f.key).toBeNull();
  });

  const doors = fields.filter((f) => f.url && f.flag);
  it.each(doors.map((f) => [f.key, f] as const))('%s: the page, the command line and the engine accept and refuse the same values, with the same words', (_key, f) => {
    for (const raw of probes(f)) {
      const page = settingsFromQuery(`${f.url}=${encodeURIComponent(raw)}`);
      const pageOk = page.problems.length === 0;
      let cli: ProtoSettings | Error;
      try {
        cli = settingsFromFlags(RUN_FIELDS, { [f.flag!]: raw }, PAPER_SETTINGS);
      } catch (e) {
        cli = e as Error;
      }
      const cliOk = !(cli instanceof Error);
      expect(cliOk, `${f.flag}=${JSON.stringify(raw)}: page ${pageOk}, command line ${cliOk}`).toBe(pageOk);
      const value = f.parse(raw);
      let engineOk = true;
      try {
        validateSettings({ [f.key]: value });
      } catch (e) {
        engineOk = false;
        expect((e as Error).message).toContain(`${f.label} ${f.accepts.startsWith('one of') ? 'must be one of' : `must be ${f.accepts}`}`);
      }
      expect(engineOk, `${f.key}=${JSON.stringify(raw)}`).toBe(pageOk);
      if (pageOk && !(cli instanceof Error)) {
        expect(toProtoSettings(page.settings)[f.key as keyof ProtoSettings]).toEqual(cli[f.key as keyof ProtoSettings]);
      } else if (cli instanceof Error) {
        expect(cli.message).toBe(`--${f.flag} ${f.check(value)}, got "${raw}".`);
        expect(page.problems[0]).toBe(`ignored ${f.url}=${raw}: ${f.label} ${f.check(value)}`);
      }
    }
  });

  it('the engine refuses a value outside the table, naming the field and its bounds', () => {
    expect(() => validateSettings({ ...PAPER_SETTINGS, lr: 20 })).toThrow('Setting lr = 20: lr must be a number above 0 and at most 10.');
    expect(() => validateSettings({ ...PAPER_SETTINGS, beta2: 1 })).toThrow('Setting beta2 = 1: beta2 must be a number at least 0 and below 1.');
    expect(() => validateSettings({ ...PAPER_SETTINGS, maxSteps: 100_001 })).toThrow('Setting steps = 100001: steps must be a whole number from 1 to 100000.');
    expect(() => validateSettings(PAPER_SETTINGS)).not.toThrow();
  });

  it('protolab --help lists every run flag with its bounds and default, from the table', () => {
    const help = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--help'], { cwd: ROOT, encoding: 'utf8' });
    for (const line of flagHelp(RUN_FIELDS)) expect(help).toContain(line);
    expect(help).toContain('--steps S');
    expect(help).toContain('a whole number from 1 to 100000 (default 5000)');
  });
});

describe('settings fields', () => {
  const whole = wholeField({ key: 'n', label: 'n', help: 'h', fallback: 1, min: 1, max: 9 });
  const num = numberField({ key: 'x', label: 'x', help: 'h', fallback: 0.5, above: 0, below: 1 });
  const pick = choiceField({ key: 'c', label: 'c', help: 'h', fallback: 'a', values: ['a', 'b'] });

  it('whole numbers take digits only: not a blank, a sign, hex, an exponent or a fraction', () => {
    expect(['3', ' 7 '].map((r) => whole.check(whole.parse(r)))).toEqual([null, null]);
    for (const raw of ['', ' ', '-1', '+3', '0x5', '1e0', '2.5', '10', '0']) expect(whole.check(whole.parse(raw)), raw).toBe('must be a whole number from 1 to 9');
  });

  it('numbers state open and closed ends in words; a blank is not zero', () => {
    expect(num.accepts).toBe('a number above 0 and below 1');
    expect([0, 1, NaN, Infinity, 0.5].map((v) => num.check(v))).toEqual(['must be a number above 0 and below 1', 'must be a number above 0 and below 1', 'must be a number above 0 and below 1', 'must be a number above 0 and below 1', null]);
    expect(num.parse(' ')).toBeNaN();
    expect(numberField({ key: 'y', label: 'y', help: 'h', fallback: 1, min: 0, max: 2 }).accepts).toBe('a number from 0 to 2');
  });

  it('choices name the allowed words and the one given', () => {
    expect(pick.check('b')).toBeNull();
    expect(pick.check('z')).toBe('must be one of a, b');
    expect(pick.usage).toBe('a|b');
  });
});
