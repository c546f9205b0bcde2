/**
 * The command line of `npm run bench` (the flags are listed in bench/run.ts's header): which
 * platforms, which parts, whether to save, whether to measure a snapshot of HEAD, and how long to
 * wait for a quiet machine. Parsing only; bench/parts.ts owns the part names and defaults.
 */
import { selectParts, type BenchParts } from '../parts.ts';

export interface Args {
  quick: boolean;
  /** Seconds to wait for other work on the machine to finish before each platform. */
  waitS: number;
  save: boolean;
  head: boolean;
  only: 'node' | 'chromium' | null;
  parts: BenchParts;
  /** --big-limit: seconds a big model's step may take before the next size is skipped. */
  bigLimitS?: number;
}

/** `process.argv.slice(2)` as Args; an unknown flag is an error, not ignored, so a typo cannot save a run made with other settings. */
export function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, waitS: 120, save: true, head: false, only: null, parts: selectParts(null, false) };
  let saveGiven: boolean | null = null;
  let skip: string | null = null;
  let big = false;
  let add: string | null = null;
  for (const x of argv) {
    if (x === '--quick') a.quick = true;
    else if (x === '--big') big = true;
    else if (x.startsWith('--skip=')) skip = x.slice(7);
    else if (x.startsWith('--with=')) add = x.slice(7);
    else if (x === '--head') a.head = true;
    else if (/^--wait=\d+$/.test(x)) a.waitS = Number(x.slice(7));
    else if (/^--big-limit=\d+$/.test(x)) a.bigLimitS = Number(x.slice(12));
    else if (x === '--save') saveGiven = true;
    else if (x === '--no-save') saveGiven = false;
    else if (x === '--only=node') a.only = 'node';
    else if (x === '--only=chromium' || x === '--only=browser') a.only = 'chromium';
    else throw new Error(`unknown argument ${x}; see the header of bench/run.ts`);
  }
  a.save = saveGiven ?? !a.quick;
  a.parts = selectParts(skip, big, add);
  return a;
}
