import { ASSETS } from '../helpers/fixtures.ts';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer, TokenizerError } from '../../src/model/tokenizer.ts';
import { nodeFolderSource } from '../../src/model/sources/node-folder.ts';

const STORIES = `${ASSETS}models/stories260k`;
const PYTHIA = `${ASSETS}fixtures/gpt-neox-tiny`;

const SENTENCES = [
  'Once upon a time, there was a little girl named Lily.',
  'Hello, I am héllo 世界 😀\n  two  spaces, tabs\tand "quotes" . done',
  'numbers 1234567 and symbols #@!$%^&*()',
  '',
];

describe('stories260k tokenizer', () => {
  it('encodes the reference prompts to the recorded ids (BOS is the caller\'s)', async () => {
    const tok = await loadTokenizer(nodeFolderSource(STORIES));
    const ref = JSON.parse(readFileSync(join(STORIES, 'reference_outputs.json'), 'utf8')) as { cases: { prompt: string; input_ids: number[]; greedy_40_ids: number[]; greedy_40_text: string }[] };
    expect(tok.bosTokenId).toBe(1);
    expect(tok.eosTokenId).toBe(2);
    expect(tok.addBos).toBe(true);
    expect(tok.vocabSize).toBe(512);
    for (const c of ref.cases) {
      const want = c.input_ids[0] === tok.bosTokenId ? c.input_ids.slice(1) : c.input_ids;
      expect(tok.encode(c.prompt)).toEqual(want);
      expect(tok.decode(tok.encode(c.prompt))).toBe(c.prompt);
    }
    // The recorded continuation decodes to the recorded text once the prompt's leading space is accounted for.
    const c = ref.cases[1];
    expect(tok.decode([...c.input_ids.slice(1), ...c.greedy_40_ids])).toBe(c.prompt + c.greedy_40_text);
  });

  it('round-trips text and shows tokens with spaces and byte pieces', async () => {
    const tok = await loadTokenizer(nodeFolderSource(STORIES));
    for (const s of SENTENCES) expect(tok.decode(tok.encode(s))).toBe(s);
    expect(tok.tokenStrings([403, 407, 261, 378])).toEqual([' Once', ' upon', ' a', ' time']);
    // <0x0A> is a newline; <0xE4> alone is the lead byte of a three-byte character.
    expect(tok.tokenStrings([13, 231, 1, 2])).toEqual(['\n', '<0xE4>', '<s>', '</s>']);
    expect(tok.tokenStrings(tok.encode('世')).join('')).toBe(' <0xE4><0xB8><0x96>');
    expect(tok.tokenStrings([600])).toEqual(['<id 600>']);
    expect(tok.decode([])).toBe('');
  });
});

describe('Pythia (GPT-NeoX-20B) tokenizer', () => {
  it('matches the known ids and round-trips', async () => {
    const tok = await loadTokenizer(nodeFolderSource(PYTHIA));
    expect(tok.encode('Hello, I am')).toEqual([12092, 13, 309, 717]);
    // From the vocabulary: "Ġthe" is 253, "Ġcat" 5798 — byte-level BPE spells a leading space as "Ġ".
    const vocab = (JSON.parse(readFileSync(join(PYTHIA, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
    expect(tok.encode(' the cat')).toEqual([vocab['Ġthe'], vocab['Ġcat']]);
    for (const s of SENTENCES) expect(tok.decode(tok.encode(s))).toBe(s);
    // No tokenizer_config.json in the fixture: BOS/EOS come from config.json (<|endoftext|> = 0).
    expect(tok.bosTokenId).toBe(0);
    expect(tok.eosTokenId).toBe(0);
    expect(tok.addBos).toBe(false);
    expect(tok.vocabSize).toBeGreaterThanOrEqual(50277);
    expect(tok.vocabSize).toBeLessThanOrEqual(50304);
  });

  it('shows byte-level tokens as text', async () => {
    const tok = await loadTokenizer(nodeFolderSource(PYTHIA));
    expect(tok.tokenStrings(tok.encode('Hello, I am'))).toEqual(['Hello', ',', ' I', ' am']);
    expect(tok.tokenStrings(tok.encode(' é\n'))).toEqual([' é', '\n']);
    expect(tok.tokenStrings([0])).toEqual(['<|endoftext|>']);
    // The emoji's four UTF-8 bytes straddle two tokens: neither half is a character, so both show as bytes.
    expect(tok.tokenStrings(tok.encode(' 😀'))).toEqual([' <0xF0><0x9F><0x98>', '<0x80>']);
    expect(tok.decode(tok.encode('😀'))).toBe('😀');
    // Ids past the tokenizer's vocabulary (Pythia pads its embedding matrix to 50304 rows) are marked, not thrown on.
    expect(tok.decode([12092, 50300])).toBe('Hello<id 50300>');
  });
});

describe('WordPiece tokens (all-MiniLM-L6-v2) are shown without ## markers', () => {
  it('works for a non-causal tokenizer too', async () => {
    const tok = await loadTokenizer(nodeFolderSource(`${ASSETS}models/_tokenizers_only/all-MiniLM-L6-v2`));
    const ids = tok.encode('tokenization');
    expect(ids.length).toBeGreaterThan(1);
    expect(tok.tokenStrings(ids).join('').trim()).toBe('tokenization');
  });
});

// Issue 17: every family's tokenizer loads through @huggingface/transformers and round-trips text.
describe.each(['qwen2-tiny', 'qwen3-tiny', 'gpt2-tiny', 'gemma3-tiny'])('the %s fixture tokenizer', (name) => {
  it('loads, encodes without special tokens, shows every token, and decodes back to the text', async () => {
    const tok = await loadTokenizer(nodeFolderSource(`${ASSETS}fixtures/${name}`));
    const text = 'Once upon a time, there was a cat named Lily.';
    const ids = tok.encode(text);
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize)).toBe(true);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.tokenStrings(ids).join('').replace(/\s+/gu, '')).toContain('Lily');
  });
});

describe('missing or broken tokenizer files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'protolab-tok-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing tokenizer.json is a clear error', async () => {
    copyFileSync(join(STORIES, 'config.json'), join(dir, 'config.json'));
    const err = await loadTokenizer(nodeFolderSource(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenizerError);
    expect((err as Error).message).toMatch(/has no tokenizer\.json/);
    writeFileSync(join(dir, 'tokenizer.model'), 'spm');
    await expect(loadTokenizer(nodeFolderSource(dir))).rejects.toThrow(/only a SentencePiece tokenizer\.model/);
  });

  it('a corrupt tokenizer.json names the file', async () => {
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(loadTokenizer(nodeFolderSource(dir))).rejects.toThrow(/tokenizer\.json is not valid JSON/);
  });
});
