import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compareSteps, comparisonCells, fastestPytorch, PYTORCH_CPU_MS } from '../../bench/targets.ts';
import { DEFAULT_PARTS, selectParts } from '../../bench/parts.ts';

describe('benchmark comparison with the PyTorch CPU reference (issue 6)', () => {
  it('holds the issue numbers', () => {
    expect(PYTORCH_CPU_MS.stories260k).toEqual({ 16: 20, 32: 25, 64: 50, 128: 108, 256: 237 });
    expect(PYTORCH_CPU_MS['fixtures-gpt-neox-tiny']).toEqual({ 16: 120, 64: 460, 256: 1720 });
  });

  it('target is "no slower", stretch is "at most half", each judged against the same N', () => {
    const rows = compareSteps([
      { platform: 'chromium', model: 'stories260k', N: 64, msPerStep: 33 },
      { platform: 'chromium', model: 'stories260k', N: 16, msPerStep: 10 },
      { platform: 'chromium', model: 'stories260k', N: 256, msPerStep: 400 },
      { platform: 'node', model: 'fixtures-gpt-neox-tiny', N: 64, msPerStep: 230 },
    ]);
    expect(rows.map((r) => [r.target, r.stretch, r.ratio, r.counts])).toEqual([
      ['met', 'not met', 0.66, true],
      ['met', 'met', 0.5, true],
      ['not met', 'not met', 1.69, true],
      ['met', 'met', 0.5, false], // node: shown, not what the target is set for
    ]);
  });

  it('a size without a reference or without a number says so, with the reason', () => {
    const rows = compareSteps([
      { platform: 'chromium', model: 'stories260k', N: 48, msPerStep: 30 },
      { platform: 'chromium', model: 'llama-3.2-1b-shaped', N: 512, msPerStep: null, reason: 'over the 180 s limit' },
    ]);
    expect(rows[0]).toMatchObject({ pytorchCpuMs: null, target: 'no reference', stretch: 'no reference', counts: false });
    expect(rows[1]).toMatchObject({ target: 'not measured', reason: 'over the 180 s limit' });
    const cells = comparisonCells(rows);
    expect(cells[1][3]).toBe('- (over the 180 s limit)');
    expect(comparisonCells(compareSteps([{ platform: 'chromium', model: 'stories260k', N: 64, msPerStep: 60 }]))[0].slice(3)).toEqual(['60.0', '50', '1.20x', 'NOT MET', 'NOT MET', '-', '-']);
  });

  it('PyTorch measured on this machine: its fastest run per model and N, shown beside the issue figures', () => {
    const epyc = { cpu: 'AMD EPYC', cores: 2 };
    const history = {
      runs: [
        { date: '2026-12-01T22:40:00+00:00', model: 'stories260k', host: epyc, results: [{ N: 64, ms_per_step: 17.7 }] },
        { date: '2026-12-01T22:30:00+00:00', model: 'stories260k', host: epyc, results: [{ N: 64, ms_per_step: 21.9 }, { N: 16, ms_per_step: 7.5 }] },
        { date: '2026-12-01T22:50:00+00:00', model: 'stories260k', host: { cpu: 'Intel Xeon', cores: 2 }, results: [{ N: 64, ms_per_step: 4 }] },
        // Later and slower (another thread setting, or a slow minute): the fastest run stays the yardstick.
        { date: '2026-12-02T01:10:00+00:00', model: 'stories260k', host: epyc, results: [{ N: 64, ms_per_step: 27.5 }] },
      ],
    };
    const here = fastestPytorch(history, { model: 'AMD EPYC', cores: 2 });
    expect(here).toEqual({ stories260k: { 64: 17.7, 16: 7.5 } }); // another machine's run is not "here"
    expect(fastestPytorch(history, { model: 'AMD EPYC', cores: 16 })).toEqual({});
    const [row] = compareSteps([{ platform: 'node', model: 'stories260k', N: 64, msPerStep: 31.5 }], here);
    expect(row).toMatchObject({ pytorchCpuMs: 50, ratio: 0.63, target: 'met', pytorchHereMs: 17.7, ratioHere: 1.78 });
    expect(comparisonCells([row])[0].slice(8)).toEqual(['17.7', '1.78x']);
  });

  it("reads the committed PyTorch history (bench/results/pytorch-cpu.json) that PERFORMANCE.md quotes", () => {
    const here = fastestPytorch(JSON.parse(readFileSync(new URL('../../bench/results/pytorch-cpu.json', import.meta.url), 'utf8')), { model: 'AMD EPYC', cores: 2 });
    expect(Object.keys(here).sort()).toEqual(['fixtures-gpt-neox-tiny', 'llama-3.2-1b-shaped', 'pythia-160m-shaped', 'stories260k']);
    expect(here.stories260k[16]).toBeGreaterThan(0);
  });
});

describe('benchmark parts (--skip, --big)', () => {
  it('default runs everything but the big models; --big adds them', () => {
    expect(selectParts(null, false)).toEqual(DEFAULT_PARTS);
    expect(DEFAULT_PARTS.big).toBe(false);
    expect(selectParts(null, true).big).toBe(true);
  });

  it('4096^3 is opt-in with --with=matmul4096', () => {
    expect(DEFAULT_PARTS.matmul4096).toBe(false);
    expect(selectParts(null, false, 'matmul4096').matmul4096).toBe(true);
    expect(selectParts('matmul4096', false, 'matmul4096').matmul4096).toBe(false);
    expect(() => selectParts(null, false, 'matmul8192')).toThrow(/--with: unknown part "matmul8192"/);
  });

  it('--skip drops named parts and refuses unknown names or an empty run', () => {
    expect(selectParts('shapes, fixtures', false)).toMatchObject({ shapes: false, fixtures: false, stories: true });
    expect(() => selectParts('matmul4069', false)).toThrow(/--skip: unknown part "matmul4069".*matmul4096/);
    expect(() => selectParts('stories,solve,matmul,matmul4096,shapes,fixtures', false)).toThrow(/nothing to run/);
    expect(selectParts('stories,solve,matmul,matmul4096,shapes,fixtures', true)).toMatchObject({ big: true, stories: false });
    // solve runs inside stories: skipping stories skips it, and leaves nothing to run here.
    expect(selectParts('stories', false).solve).toBe(false);
    expect(() => selectParts('stories,matmul,shapes,fixtures', false)).toThrow(/nothing to run/);
  });
});
