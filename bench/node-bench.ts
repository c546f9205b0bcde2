/**
 * The benchmark suite in Node (Dawn through the `webgpu` package, SwiftShader on GPU-less
 * machines). Run by bench/run.ts as a child process so Dawn's busy-polling thread is gone before
 * Chromium is measured:
 *   node --import tsx bench/node-bench.ts input <input.json>              the texts both platforms use
 *   node --import tsx bench/node-bench.ts run <input.json> <output.json>  the suite in Node
 * Both run from the tree under test (a --head snapshot included), so its own tokenizer and text
 * recipes make the inputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetsDir } from '../src/util/assets-dir.ts';
import { threeSamples } from '../src/datasets/samples.ts';
import { readData } from '../src/datasets/data-dir.ts';
import { createNodeGpu } from '../src/gpu/node.ts';
import { loadModel } from '../src/model/load.ts';
import { nodeFolderSource } from '../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../src/model/tokenizer.ts';
import type { BenchInput } from './suite/results.ts';
import { runSuite } from './suite/run-suite.ts';

const MODEL_NAME = 'stories260k';
const MODEL_DIR = join(assetsDir(), 'models', MODEL_NAME) + '/';

/** The three 16-token texts of threeSamples and a 256-token book run for the ms-per-step texts. */
export async function benchInput(quick = false): Promise<BenchInput> {
  const tokenizer = await loadTokenizer(nodeFolderSource(MODEL_DIR));
  const samples = threeSamples(tokenizer, 16, 0).map((s) => ({ id: s.id, tokens: s.tokens }));
  const longTokens = tokenizer.encode(readData('pg19/test/10146.txt').slice(0, 20_000)).slice(0, 256);
  return { model: MODEL_NAME, samples, longTokens, quick };
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  if (mode === 'input' && a) {
    writeFileSync(a, JSON.stringify(await benchInput(b === 'quick')));
    return;
  }
  if (mode !== 'run' || !a || !b) throw new Error('usage: node --import tsx bench/node-bench.ts input <input.json> [quick] | run <input.json> <output.json>');
  const input = JSON.parse(readFileSync(a, 'utf8')) as BenchInput;
  const results = await runSuite({
    acquire: () => createNodeGpu(),
    load: (gpu) => loadModel(gpu, nodeFolderSource(MODEL_DIR)),
    loadFixture: (gpu, name) => loadModel(gpu, nodeFolderSource(join(assetsDir(), 'fixtures', name) + '/')),
    input,
    log: (line) => console.error(`[node] ${line}`),
  });
  writeFileSync(b, JSON.stringify(results));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    // Dawn keeps the event loop alive; leave once the results are written.
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
