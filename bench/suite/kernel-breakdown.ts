/**
 * Where the GPU time of one optimisation step goes, kernel by kernel: the trainer's own step
 * Program encoded with a timestamp query around every dispatch, each dispatch's median over a few
 * submissions, grouped by kernel name (layer prefix and chunk suffix removed). The suite runs it
 * for stories260k and for the fixture with a PyTorch reference; scripts/batching-cost.ts imports
 * it too.
 */
import type { Model } from '../../src/model/model.ts';
import { restarts, singleText } from '../../src/prototokens/problem.ts';
import { PAPER_SETTINGS } from '../../src/shared/run-settings.ts';
import { ProtoTrainer } from '../../src/prototokens/trainer.ts';
import { median, now, round } from './timing.ts';

export interface KernelGroup {
  /** Dispatch label with the layer prefix (`l3.`) and vocabulary-chunk suffix (`[0]`) removed. */
  kernel: string;
  /** Dispatches of this group in one step. */
  count: number;
  /** GPU ms per step: over the group's dispatches, the sum of each one's median timestamp interval. */
  ms: number;
  /** Share of the summed kernel time. */
  pct: number;
}

export interface KernelBreakdown {
  what: string;
  N: number;
  reps: number;
  dispatches: number;
  /** Sum over all dispatches of their median timestamp interval. */
  kernelMs: number;
  /** Wall time of the profiled submission (one compute pass per dispatch adds overhead). */
  profiledWallMs: number;
  /** Wall time of the same step submitted normally. */
  plainWallMs: number;
  groups: KernelGroup[];
  note?: string;
}

/** A breakdown, or why there is none (an adapter without timestamp-query): what the results files hold. */
export type KernelBreakdownResult = KernelBreakdown | { N: number; unavailable: string };

export function kernelGroupName(label: string): string {
  return label.replace(/^l\d+\./, '').replace(/\[\d+\]/g, '');
}

/**
 * Per-kernel GPU time of one optimisation step (layout + forward + keep-best + backward + AdamW)
 * of an N-token text (`seeds` restarts of it in one batch): each dispatch in its own compute pass with begin/end timestamps; the
 * first profiled submission is a warm-up, then each dispatch's median over `reps` submissions.
 */
export async function kernelBreakdown(model: Model, tokens: number[], reps: number, seeds = 1): Promise<KernelBreakdownResult> {
  const gpu = model.gpu;
  const N = tokens.length;
  if (!gpu.features.timestamps) return { N, unavailable: 'this adapter has no timestamp-query' };
  const problem = seeds === 1 ? singleText(tokens, 0) : restarts(tokens, 0, seeds);
  // maxSteps counts only submitSteps (3 warm-up + `reps` plain steps below); the profiled
  // submissions encode the Program directly. The run table refuses more than 100 000 steps.
  const trainer = await ProtoTrainer.create(model, problem, { ...PAPER_SETTINGS, maxSteps: 3 + reps });
  // The step Program is the trainer's own (what submitSteps replays); `private` is a compile-time
  // wall only, and bracket access is TypeScript's sanctioned way through it for tooling like this.
  const program = trainer['stepProgram'];
  // Program.encode numbers timestamp queries by dispatch (2q, 2q+1); copies and clears get none.
  const dispatchLabels = program['items'].filter((item) => item.kind === 'dispatch').map((item) => item.label);
  const dispatches = dispatchLabels.length;
  const querySet = gpu.device.createQuerySet({ type: 'timestamp', count: 2 * dispatches });
  const resolve = gpu.device.createBuffer({ size: 16 * dispatches, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = gpu.device.createBuffer({ size: 16 * dispatches, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

  // Warm up and time the plain step.
  trainer.submitSteps(3);
  await gpu.idle();
  const plain: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    trainer.submitSteps(1);
    await gpu.idle();
    plain.push(now() - t0);
  }

  const perRep: number[][] = [];
  const wall: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = now();
    const encoder = gpu.device.createCommandEncoder({ label: 'bench.profile' });
    program.encode(encoder, querySet);
    encoder.resolveQuerySet(querySet, 0, 2 * dispatches, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, 16 * dispatches);
    gpu.device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const t1 = now();
    const ts = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    if (r === 0) continue; // first profiled submission: warm-up
    wall.push(t1 - t0);
    const durations: number[] = [];
    for (let q = 0; q < dispatches; q++) {
      const begin = ts[2 * q];
      const end = ts[2 * q + 1];
      durations.push(end > begin ? Number(end - begin) / 1e6 : 0);
    }
    perRep.push(durations);
  }
  trainer.destroy();
  querySet.destroy();
  resolve.destroy();
  read.destroy();

  const perDispatch = Array.from({ length: dispatches }, (_, q) => median(perRep.map((d) => d[q])));
  const groups = new Map<string, { count: number; ms: number }>();
  perDispatch.forEach((ms, q) => {
    const name = kernelGroupName(dispatchLabels[q] ?? `#${q}`);
    const g = groups.get(name) ?? { count: 0, ms: 0 };
    g.count++;
    g.ms += ms;
    groups.set(name, g);
  });
  const total = perDispatch.reduce((a, b) => a + b, 0);
  const zero = perDispatch.filter((x) => x === 0).length;
  return {
    what: 'one optimisation step (ProtoTrainer step program): layout, forward, keep-best, backward, AdamW',
    N,
    reps,
    dispatches,
    kernelMs: round(total, 3),
    profiledWallMs: round(median(wall)),
    plainWallMs: round(median(plain)),
    groups: [...groups.entries()]
      .map(([kernel, g]) => ({ kernel, count: g.count, ms: round(g.ms, 3), pct: round((100 * g.ms) / (total || 1), 1) }))
      .sort((a, b) => b.ms - a.ms),
    ...(zero > dispatches / 2 ? { note: `${zero} of ${dispatches} dispatches read 0 ns: timestamps are quantised on this platform` } : {}),
  };
}
