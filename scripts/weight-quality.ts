/**
 * What each weight format does to a model itself (issue 16, "Quality"): on the shared texts (a PG-19
 * book, a random GloVe-word text and a recent blog post, each cut to N tokens, several seeds), the
 * model's H_LM (summed next-token NLL, Eq. 3) and its argmax at every position in each format,
 * against f32. For stories260k and every golden fixture (on its golden forward ids).
 *
 *   npx tsx scripts/weight-quality.ts [--n 256] [--seeds 3] [--out bench/results/weight-quality.json]
 *
 * Prints a Markdown table; --out writes the measurements as JSON.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { createNodeGpu } from '../src/gpu/node.ts';
import { loadModel } from '../src/model/load.ts';
import { nodeFolderSource } from '../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../src/model/tokenizer.ts';
import { evaluateTokens } from '../src/model/evaluate.ts';
import { WEIGHT_FORMATS, type WeightFormat } from '../src/model/weight-format.ts';
import { threeSamples } from '../src/datasets/samples.ts';
import { assetsDir } from '../src/util/assets-dir.ts';

const { values } = parseArgs({ options: { n: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' } } });
const N = Number(values.n ?? 256);
const SEEDS = Number(values.seeds ?? 3);
const gpu = await createNodeGpu();

interface Row {
  model: string;
  texts: number;
  positions: number;
  format: WeightFormat;
  h_lm: number;
  h_lm_change: number;
  argmax_agreement: number;
}

async function measure(name: string, dir: string, texts: number[][]): Promise<Row[]> {
  const rows: Row[] = [];
  let base: { h: number; argmax: number[][] } | null = null;
  for (const f of WEIGHT_FORMATS) {
    const model = await loadModel(gpu, nodeFolderSource(dir), { format: f });
    let h = 0;
    const argmax: number[][] = [];
    for (const t of texts) {
      const r = await evaluateTokens(model, t);
      h += r.hLm;
      argmax.push(r.argmax);
    }
    model.destroy();
    base ??= { h, argmax };
    let same = 0;
    let all = 0;
    argmax.forEach((a, i) => a.forEach((x, j) => ((same += x === base!.argmax[i][j] ? 1 : 0), all++)));
    rows.push({ model: name, texts: texts.length, positions: all, format: f, h_lm: h, h_lm_change: (h - base.h) / base.h, argmax_agreement: same / all });
  }
  return rows;
}

const stories = `${assetsDir()}/models/stories260k`;
const tok = await loadTokenizer(nodeFolderSource(stories));
const shared = Array.from({ length: SEEDS }, (_, s) => threeSamples(tok, N, s).map((x) => x.tokens)).flat();
const rows = await measure('stories260k', stories, shared);
for (const name of ['llama-gqa-untied', 'gpt-neox-tiny', 'gpt-neox-seq-bf16', 'qwen2-tiny', 'qwen3-tiny']) {
  const dir = `${assetsDir()}/fixtures/${name}`;
  const { readFileSync } = await import('node:fs');
  const g = JSON.parse(readFileSync(`${dir}/golden.json`, 'utf8')) as { forward: { input_ids: number[] } };
  rows.push(...(await measure(name, dir, [g.forward.input_ids])));
}

const pct = (x: number, d = 2) => `${(100 * x).toFixed(d)} %`;
console.log('| model | texts x positions | format | H_LM (nats) | change vs f32 | argmax agreement |');
console.log('| --- | ---: | --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.model} | ${r.texts} x ${r.positions / r.texts} | ${r.format} | ${r.h_lm.toFixed(1)} | ${r.format === 'f32' ? '–' : `${r.h_lm_change >= 0 ? '+' : ''}${pct(r.h_lm_change)}`} | ${pct(r.argmax_agreement, 1)} |`);
if (values.out) writeFileSync(values.out, JSON.stringify({ n: N, seeds: SEEDS, adapter: gpu.info.description || gpu.info.architecture, rows }, null, 2) + '\n');
gpu.destroy();
