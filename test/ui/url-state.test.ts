import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_SETTINGS, settingsFromQuery, settingsToQuery, toProtoSettings, VIEW_NAMES, type LabSettings } from '../../src/ui/url-state.ts';
import { SORT_KEYS } from '../../src/library/query.ts';
import { EXPERIMENT_KINDS, EXPERIMENT_SOURCES } from '../../src/shared/experiment-spec.ts';
import { LAYOUT_NAMES } from '../../src/shared/layouts.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { GEOMETRY_SOURCES } from '../../src/ui/geometry-settings.ts';
import { PAGE_WEIGHTS } from '../../src/ui/weights.ts';

const listArb = (max: number) => fc.array(fc.integer({ min: 1, max }), { maxLength: 6 }).map((xs) => xs.join(','));
const lengthsArb = listArb(100_000);
/** The experiments view's fields (src/ui/experiments-settings.ts). */
const experimentArbs = {
  expKind: fc.constantFrom(...EXPERIMENT_KINDS),
  expMethod: fc.constantFrom('oneshot' as const, 'memory' as const),
  expMemoryTokens: fc.integer({ min: 1, max: 64 }),
  expSource: fc.constantFrom(...EXPERIMENT_SOURCES),
  expTexts: fc.integer({ min: 1, max: 1000 }),
  expSeeds: fc.integer({ min: 1, max: 64 }),
  expTextSeed: fc.integer({ min: 0, max: 0xffffffff }),
  expSteps: fc.integer({ min: 1, max: 100_000 }),
  expLengths: lengthsArb,
  expMaxLength: fc.integer({ min: 0, max: 100_000 }),
  expShare: fc.constantFrom('m' as const, 'e' as const),
  expGroups: listArb(1000),
  expProgressive: fc.boolean(),
  expRepeats: fc.integer({ min: 1, max: 100 }),
  expWarmStart: fc.boolean(),
};

/** The library view's fields (src/ui/library-settings.ts). */
const libraryArbs = {
  libSearch: fc.string({ unit: 'grapheme', maxLength: 200 }).filter((t) => t.length <= 200),
  libSort: fc.constantFrom(...SORT_KEYS),
  libDir: fc.constantFrom('asc' as const, 'desc' as const),
};

/** The interpolate view's fields (src/ui/interp-settings.ts). */
const interpArbs = {
  interpA: fc.oneof(fc.constant(''), fc.uuid(), fc.string({ maxLength: 100 })),
  interpB: fc.oneof(fc.constant(''), fc.uuid()),
  interpResolution: fc.integer({ min: 2, max: 1001 }),
  bezLr: fc.double({ min: 1e-6, max: 10, noNaN: true, noDefaultInfinity: true }).filter((x) => x > 0),
  bezSteps: fc.integer({ min: 1, max: 100_000 }),
  bezSamples: fc.integer({ min: 1, max: 256 }),
  bezSeed: fc.integer({ min: 0, max: 0xffffffff }),
  interpTau: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x + 0),
};

/** The geometry view's fields (src/ui/geometry-settings.ts). */
const geometryArbs = {
  geoContexts: fc.integer({ min: 1, max: 100 }),
  geoContinuations: fc.integer({ min: 1, max: 50 }),
  geoRestarts: fc.integer({ min: 1, max: 50 }),
  geoLength: fc.integer({ min: 1, max: 512 }),
  geoSteps: fc.integer({ min: 1, max: 100_000 }),
  geoSeed: fc.integer({ min: 0, max: 0xffffffff }),
  geoScanPoints: fc.integer({ min: 2, max: 201 }),
  geoEmbedder: fc.constantFrom('auto' as const, 'minilm' as const, 'model' as const),
  geoSource: fc.constantFrom(...GEOMETRY_SOURCES),
  geoPart: fc.constantFrom('em' as const, 'e' as const, 'm' as const),
};

const settingsArb: fc.Arbitrary<LabSettings> = fc.record({
  view: fc.constantFrom(...VIEW_NAMES),
  model: fc.oneof(fc.constant(''), fc.constant('stories260k'), fc.constant('hf:EleutherAI/pythia-70m@main'), fc.string()),
  weights: fc.constantFrom(...PAGE_WEIGHTS),
  text: fc.string({ unit: 'grapheme' }),
  maxSteps: fc.integer({ min: 1, max: 100_000 }),
  lr: fc.double({ min: 1e-6, max: 10, noNaN: true, noDefaultInfinity: true }).filter((x) => x > 0),
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  reportEvery: fc.integer({ min: 1, max: 10_000 }),
  layout: fc.constantFrom(...LAYOUT_NAMES),
  firstTarget: fc.constantFrom('e' as const, 'first-m' as const),
  method: fc.constantFrom('oneshot' as const, 'memory' as const),
  memoryTokens: fc.integer({ min: 1, max: 64 }),
  ...experimentArbs,
  ...geometryArbs,
  ...interpArbs,
  ...libraryArbs,
});

describe('settings in the URL', () => {
  it('round-trips every valid settings object exactly', () => {
    fc.assert(
      fc.property(settingsArb, (s) => {
        const { settings, problems } = settingsFromQuery(settingsToQuery(s));
        expect(problems).toEqual([]);
        expect(settings).toEqual(s);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips through a real URL, with or without the leading "?"', () => {
    const s: LabSettings = { ...DEFAULT_SETTINGS, model: 'stories260k', text: 'Once upon a time, "quotes" & ampersands\n+ a newline', lr: 0.003, seed: 7, layout: '(e,m)*N/2' };
    const url = new URL(`http://127.0.0.1/?${settingsToQuery(s)}`);
    expect(settingsFromQuery(url.search).settings).toEqual(s);
    expect(settingsFromQuery(url.search.slice(1)).settings).toEqual(s);
  });

  it('names every setting of a run and leaves out an empty text and model', () => {
    const q = new URLSearchParams(settingsToQuery(DEFAULT_SETTINGS));
    expect([...q.keys()]).toEqual(['steps', 'lr', 'seed', 'report', 'layout', 'target']);
    expect(q.get('layout')).toBe('e,m*(N-1)');
  });

  it('refuses an unknown view by name and keeps the default', () => {
    const { settings, problems } = settingsFromQuery('view=nowhere');
    expect(settings.view).toBe(DEFAULT_SETTINGS.view);
    expect(problems).toEqual(['ignored view=nowhere: view must be one of compress, library, interpolate, geometry, experiments']);
  });

  it('an empty query gives the defaults: the paper settings', () => {
    expect(settingsFromQuery('')).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
    expect(DEFAULT_SETTINGS).toMatchObject({ maxSteps: 5000, lr: 0.01, seed: 0, reportEvery: 10, layout: 'e,m*(N-1)', firstTarget: 'e' });
  });

  it('ignores unusable values, keeps the rest and says what it ignored', () => {
    const { settings, problems } = settingsFromQuery('steps=0&lr=-1&seed=1.5&report=x&layout=zigzag&target=m&model=stories260k&text=hi&unknown=1');
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, model: 'stories260k', text: 'hi' });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/steps=0/);
    expect(problems).toEqual([
      'ignored steps=0: steps must be a whole number from 1 to 100000',
      'ignored lr=-1: lr must be a number above 0 and at most 10',
      'ignored seed=1.5: seed must be a whole number from 0 to 4294967295',
      'ignored report=x: report interval must be a whole number from 1 to 10000',
      'ignored layout=zigzag: layout must be one of e*N, e*N/2,m*N/2, (e,m)*N/2, e,m*N, e,m*(N-1)',
      'ignored target=m: first target must be one of e, first-m',
    ]);
  });

  it('an empty number is not zero', () => {
    expect(settingsFromQuery('seed=').problems).toHaveLength(1);
  });

  it('maps to the engine settings on top of the paper ones', () => {
    const p = toProtoSettings({ ...DEFAULT_SETTINGS, maxSteps: 300, lr: 0.02, seed: 3, reportEvery: 5, layout: 'e*N', firstTarget: 'first-m' });
    expect(p).toEqual({ ...PAPER_SETTINGS, maxSteps: 300, lr: 0.02, seed: 3, reportEvery: 5, layout: 'e*N', firstTarget: 'first-m' });
  });
});

describe('the library view in the URL', () => {
  it('writes only changed library fields and refuses unknown orders by name', () => {
    const s: LabSettings = { ...DEFAULT_SETTINGS, libSearch: 'tag:keep cat', libSort: 'accuracy', libDir: 'asc' };
    const q = new URLSearchParams(settingsToQuery(s));
    expect(q.get('lib_q')).toBe('tag:keep cat');
    expect(q.get('lib_sort')).toBe('accuracy');
    expect(new URLSearchParams(settingsToQuery(DEFAULT_SETTINGS)).has('lib_sort')).toBe(false);
    const bad = settingsFromQuery('lib_sort=bytes&lib_dir=up');
    expect(bad.settings.libSort).toBe(DEFAULT_SETTINGS.libSort);
    expect(bad.problems).toEqual(['ignored lib_sort=bytes: library order must be one of savedAt, model, text, accuracy, N', 'ignored lib_dir=up: library direction must be one of asc, desc']);
  });
});

describe('the weight format in the URL', () => {
  it("defaults to the checkpoint's own precision and leaves it out of the URL", () => {
    expect(DEFAULT_SETTINGS.weights).toBe('checkpoint');
    expect(new URLSearchParams(settingsToQuery(DEFAULT_SETTINGS)).has('weights')).toBe(false);
  });

  it('reads and writes every format and auto as ?weights=', () => {
    for (const w of ['f32', 'f16', 'bf16', 'q8', 'q4', 'auto'] as const) {
      const { settings, problems } = settingsFromQuery(`model=stories260k&weights=${w}`);
      expect(problems).toEqual([]);
      expect(settings).toEqual({ ...DEFAULT_SETTINGS, model: 'stories260k', weights: w });
      expect(new URLSearchParams(settingsToQuery(settings)).get('weights')).toBe(w);
    }
  });

  it('refuses an unknown format by name and keeps the default', () => {
    const { settings, problems } = settingsFromQuery('weights=q3');
    expect(settings.weights).toBe('checkpoint');
    expect(problems).toEqual(['ignored weights=q3: weights must be one of checkpoint, f32, f16, bf16, q8, q4, auto']);
  });
});
