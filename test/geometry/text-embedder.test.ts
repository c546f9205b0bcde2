import { describe, expect, it } from 'vitest';
import { chooseEmbedder, embedTexts, findLocalMiniLM, MINILM_HUB_REPO, type EmbedderSource } from '../../src/geometry/text-embedder.ts';

// What semantic text embedding is used when, and the reason shown with it.

const tokenizerOnly = { name: 'all-MiniLM-L6-v2', files: ['config.json', 'tokenizer.json', 'vocab.txt'] };
const full = { name: 'all-MiniLM-L6-v2', files: ['config.json', 'tokenizer.json', 'onnx/model.onnx'] };
const quantOnly = { name: 'Xenova-all-MiniLM-L6-v2', files: ['config.json', 'tokenizer.json', 'onnx/model_quantized.onnx'] };
const stories = { name: 'stories260k', files: ['config.json', 'model.safetensors', 'tokenizer.json'] };
const offline = { reachable: false as const, why: 'no answer within 4 s' };

describe('finding a served all-MiniLM-L6-v2', () => {
  it('needs the tokenizer and ONNX weights, and says which is missing', () => {
    expect(findLocalMiniLM([stories])).toEqual({ found: false, why: expect.stringMatching(/serves no all-MiniLM-L6-v2 folder/) });
    expect(findLocalMiniLM([stories, tokenizerOnly])).toEqual({ found: false, why: 'all-MiniLM-L6-v2 has no ONNX weights (onnx/model.onnx or onnx/model_quantized.onnx)' });
    expect(findLocalMiniLM([{ name: 'minilm-l6', files: ['onnx/model.onnx'] }])).toEqual({ found: false, why: 'minilm-l6 has no tokenizer.json' });
    expect(findLocalMiniLM([stories, full])).toEqual({ found: true, name: 'all-MiniLM-L6-v2', weights: 'onnx/model.onnx' });
    expect(findLocalMiniLM([tokenizerOnly, quantOnly])).toEqual({ found: true, name: 'Xenova-all-MiniLM-L6-v2', weights: 'onnx/model_quantized.onnx' });
  });
});

describe('choosing the embedder', () => {
  it('a served copy first, with no network', () => {
    const c = chooseEmbedder('auto', findLocalMiniLM([full]), offline, 'stories260k');
    expect(c.kind).toBe('minilm');
    expect(c.kind === 'minilm' && c.source).toEqual({ from: 'local', name: 'all-MiniLM-L6-v2', baseUrl: '/models/', weights: 'onnx/model.onnx' });
    expect(c.reason).toBe('found onnx/model.onnx in the served folder all-MiniLM-L6-v2');
  });

  it('the Hub when reachable and nothing is served', () => {
    const c = chooseEmbedder('auto', findLocalMiniLM([tokenizerOnly]), { reachable: true }, 'stories260k');
    expect(c.kind === 'minilm' && c.source).toEqual({ from: 'hub', repo: MINILM_HUB_REPO });
    expect(c.reason).toMatch(/no ONNX weights.*Hub is reachable/);
  });

  it("otherwise the model's own hidden states, labelled, with both reasons", () => {
    const c = chooseEmbedder('auto', findLocalMiniLM([tokenizerOnly, stories]), offline, 'stories260k');
    expect(c).toEqual({
      kind: 'model-hidden',
      label: 'stories260k: mean-pooled final hidden states (not MiniLM)',
      reason: 'all-MiniLM-L6-v2 has no ONNX weights (onnx/model.onnx or onnx/model_quantized.onnx), and the Hugging Face Hub is not reachable (no answer within 4 s)',
    });
    expect(chooseEmbedder('minilm', findLocalMiniLM([]), offline, 'm').reason).toMatch(/^all-MiniLM-L6-v2 was asked for but is unavailable: /);
  });

  it('the settings can force the hidden states even when MiniLM is there', () => {
    expect(chooseEmbedder('model', findLocalMiniLM([full]), { reachable: true }, 'm')).toMatchObject({ kind: 'model-hidden', reason: 'chosen in the settings' });
  });
});

describe('embedding with the choice', () => {
  const hidden = async (texts: readonly string[]) => texts.map((t) => Float64Array.of(t.length, 1));
  const minilmOk = async (_: EmbedderSource) => async (texts: readonly string[]) => texts.map(() => Float64Array.of(0, 0, 1));

  it('uses MiniLM when it loads', async () => {
    const c = chooseEmbedder('auto', findLocalMiniLM([full]), offline, 'm');
    const r = await embedTexts(c, ['a', 'bb'], { minilm: minilmOk, hidden }, 'm');
    expect(r.used).toBe(c);
    expect(r.vectors.map((v) => v.length)).toEqual([3, 3]);
  });

  it('falls back to the hidden states when MiniLM fails to load, naming the error', async () => {
    const c = chooseEmbedder('auto', findLocalMiniLM([]), { reachable: true }, 'm');
    const failing = async () => {
      throw new Error('fetch failed: ort-wasm-simd-threaded.wasm');
    };
    const r = await embedTexts(c, ['a', 'bb'], { minilm: failing, hidden }, 'm');
    expect(r.used.kind).toBe('model-hidden');
    expect(r.used.reason).toBe(`all-MiniLM-L6-v2 (${MINILM_HUB_REPO} from the Hub) could not be used (fetch failed: ort-wasm-simd-threaded.wasm)`);
    expect(r.vectors.map((v) => Array.from(v))).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });
});
