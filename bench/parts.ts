/**
 * Which parts of the benchmark run. The default run stays within about 8 minutes on a 2-core
 * SwiftShader machine; the random-weight Pythia-160M / Llama-3.2-1B shaped models take far longer
 * there and run only with --big; 4096³ (about 70 s in Chromium and 270 s in Node under load) runs
 * only with --with=matmul4096. `--skip=a,b` drops parts by name, `--with=a,b` adds them.
 */
export interface BenchParts {
  /** stories260k: first step, forward+backward, kernel breakdown, ms per step at N = 16..256. */
  stories: boolean;
  /** stories260k: time to accuracy 1.0 on three 16-token texts. */
  solve: boolean;
  /** f32 matmul at 512³ and 1024³. */
  matmul: boolean;
  /** f32 matmul at 4096³, one repetition (over a minute on SwiftShader): opt-in. */
  matmul4096: boolean;
  /** f32 matmul at the Pythia-160M and Llama-3.2-1B layer shapes, N = 128 rows. */
  shapes: boolean;
  /** ms per step of the fixture models (assets/fixtures) at N = 16, 64, 256. */
  fixtures: boolean;
  /** ms per step of random-weight Pythia-160M and Llama-3.2-1B shaped models at N = 128, 512. */
  big: boolean;
}

export const PART_NAMES = ['stories', 'solve', 'matmul', 'matmul4096', 'shapes', 'fixtures', 'big'] as const satisfies readonly (keyof BenchParts)[];

export const DEFAULT_PARTS: BenchParts = { stories: true, solve: true, matmul: true, matmul4096: false, shapes: true, fixtures: true, big: false };

function names(list: string | null, flag: string): (keyof BenchParts)[] {
  if (list === null) return [];
  return list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((name) => {
      if (!(PART_NAMES as readonly string[]).includes(name)) throw new Error(`${flag}: unknown part "${name}"; the parts are ${PART_NAMES.join(', ')}`);
      return name as keyof BenchParts;
    });
}

/**
 * The parts for `--skip=LIST`, `--with=LIST` (comma-separated names, either may be null) and
 * `--big` (the same as --with=big). Unknown names are refused with the list of known ones; a
 * part both added and skipped is skipped.
 */
export function selectParts(skip: string | null, big: boolean, add: string | null = null): BenchParts {
  const parts: BenchParts = { ...DEFAULT_PARTS, big };
  for (const name of names(add, '--with')) parts[name] = true;
  for (const name of names(skip, '--skip')) parts[name] = false;
  // The solve timings run inside the stories part (they reuse its model and texts).
  parts.solve &&= parts.stories;
  if (!Object.values(parts).some(Boolean)) throw new Error('--skip leaves nothing to run; drop a name from it (or add --big)');
  return parts;
}
