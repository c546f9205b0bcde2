import { readFileSync } from 'node:fs';
import { assetsDir } from '../../src/util/assets-dir.ts';
import type { GoldenProto } from '../../bench/peers/golden-check.ts';

/** The repository's assets (models, golden fixtures, texts), or PROTOLAB_ASSETS. */
export const ASSETS = assetsDir() + '/';
export const FIXTURES = `${ASSETS}fixtures/`;
export const STORIES = `${ASSETS}models/stories260k`;

export interface Golden {
  forward: { input_ids: number[]; logits_rows: number[]; logits: number[][]; argmax: number[]; sum_next_token_nll: number };
  prototoken: GoldenProto & { argmax: number[]; logits_last_row: number[] };
}

export function golden(name: string): Golden {
  return JSON.parse(readFileSync(`${FIXTURES}${name}/golden.json`, 'utf8')) as Golden;
}

export const FIXTURE_NAMES = ['stories260k', 'llama-gqa-untied', 'gpt-neox-tiny', 'gpt-neox-seq-bf16', 'qwen2-tiny', 'qwen3-tiny', 'gpt2-tiny', 'gemma3-tiny'] as const;
