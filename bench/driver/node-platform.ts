/**
 * The Node platform: bench/node-bench.ts of the tree under test, run in a child process. The
 * child also tokenizes the input texts both platforms use (with that tree's tokenizer), and runs
 * the suite on Dawn; a separate process so Dawn's busy-polling thread is gone before Chromium is
 * measured. The children are tracked so an interrupted run can stop them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchInput, SuiteResults } from '../suite/results.ts';
import type { Tree } from './tree.ts';

/** Child processes to stop if the run is interrupted. */
export const children = new Set<ReturnType<typeof spawn>>();

/** Runs bench/node-bench.ts of the tree under test in a child process. */
function nodeBench(tree: Tree, args: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(tree.root, 'bench', 'node-bench.ts'), ...args], {
      cwd: tree.root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.add(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`bench/node-bench.ts ${args[0]} exited with ${signal ?? code}`));
    });
  });
}

/** The texts, tokenized by the tree under test. */
export async function makeInput(tree: Tree, work: string, quick: boolean): Promise<BenchInput> {
  const path = join(work, 'input.json');
  await nodeBench(tree, ['input', path, ...(quick ? ['quick'] : [])]);
  return JSON.parse(readFileSync(path, 'utf8')) as BenchInput;
}

/** The suite in Node, in a child process: Dawn's busy-polling wait must be gone before Chromium is measured. */
export async function runNode(tree: Tree, work: string): Promise<SuiteResults> {
  const outPath = join(work, 'node.json');
  await nodeBench(tree, ['run', join(work, 'input.json'), outPath]);
  return JSON.parse(readFileSync(outPath, 'utf8')) as SuiteResults;
}
