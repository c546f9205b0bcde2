import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ExperimentForm } from '../../src/ui/components/experiments/ExperimentForm.tsx';
import { ExperimentResults } from '../../src/ui/components/experiments/ExperimentResults.tsx';
import { ActionsContext } from '../../src/ui/context.ts';
import type { LabActions } from '../../src/ui/lab.ts';
import { initialState, type LabState } from '../../src/ui/state.ts';
import { DEFAULT_SETTINGS, type LabSettings } from '../../src/ui/url-state.ts';
import { createLabStore, setAppStore } from '../../src/ui/store.ts';
import { fakeRecord } from '../helpers/records.ts';
import type { SweepRecord } from '../../src/experiments/records.ts';

// Issue 19 in the page: the experiments form's progressive switch, and the results' side-by-side table.

const ready = { state: 'ready', ref: 'stories260k', info: { fingerprint: 'fp', label: 'stories260k' } } as unknown as LabState['model'];

function render(component: () => unknown, settings: Partial<LabSettings>, records: LabState['experiments']['records'] = []): string {
  const s = initialState({ ...DEFAULT_SETTINGS, ...settings });
  setAppStore(createLabStore({ ...s, model: ready, experiments: { ...s.experiments, records, listed: true } }));
  return renderToString(createElement(ActionsContext.Provider, { value: {} as LabActions }, createElement(component as () => null))).replaceAll('<!-- -->', '');
}

describe('progressive in the experiments view', () => {
  it('the form offers the switch for one-shot capacity and layout runs, as set', () => {
    expect(render(ExperimentForm, {})).toMatch(/data-testid="exp-expProgressive"(?![^>]*checked)/);
    expect(render(ExperimentForm, { expProgressive: true })).toMatch(/<input type="checkbox" data-testid="exp-expProgressive" checked=""/);
    expect(render(ExperimentForm, { expKind: 'layouts' })).toContain('exp-expProgressive');
    expect(render(ExperimentForm, { expMethod: 'memory' })).not.toContain('exp-expProgressive');
    expect(render(ExperimentForm, { expKind: 'sharing' })).not.toContain('exp-expProgressive');
  });

  it('results holding both starts show them side by side', () => {
    const key: Partial<SweepRecord> = { modelFingerprint: 'fp', method: 'oneshot', share: 'none', group: 1, source: 'pg19', keepGoing: false, seeds: 1, seedBase: 0, stop: 'text', threshold: 0.99, lengths: [4, 5], settings: { maxSteps: 100 } as SweepRecord['settings'] };
    const vectors = [{ e: 'AACAPw==', m: 'AACAPw==' }];
    const records = [
      fakeRecord({ ...key, sweep: 'a', init: 'normal', text: 't', length: 4, attempt: 'a4' }),
      fakeRecord({ ...key, sweep: 'a', init: 'normal', text: 't', length: 5, attempt: 'a5', passed: false, best: 0.6, correct: [3], accuracy: [0.6] }),
      fakeRecord({ ...key, sweep: 'b', init: 'progressive', text: 't', length: 4, attempt: 'b4', vectors }),
      fakeRecord({ ...key, sweep: 'b', init: 'progressive', text: 't', length: 5, attempt: 'b5', vectors, from: 4 }),
    ] as unknown as LabState['experiments']['records'];
    const html = render(ExperimentResults, { view: 'experiments' }, records);
    expect(html).toContain('Progressive against from scratch');
    expect(html).toContain('oneshot not shared, from scratch');
    expect(html).toContain('oneshot not shared, progressive');
  });
});
