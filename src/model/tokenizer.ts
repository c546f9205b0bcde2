/**
 * Tokenizers through @huggingface/transformers, built from the source's tokenizer.json (+ tokenizer_config.json)
 * without the library's own hub download, so the same code runs on local folders, picked files and our HTTP
 * sources. The library is imported lazily: it is large, and only needed once text has to be tokenized.
 */
import type { ModelSource } from './sources/source.ts';
import { displayRules, displayToken, type DisplayRules } from './token-display.ts';
import { parseJsonText } from './json-text.ts';

export interface Tokenizer {
  /** No special tokens added: callers decide about BOS (see addBos). */
  encode(text: string): number[];
  decode(ids: number[]): string;
  /** Per-token display strings: '▁the' -> ' the', 'Ġthe' -> ' the', '<0x0A>' -> '\n', a lone UTF-8 lead byte -> '<0xE4>'. */
  tokenStrings(ids: number[]): string[];
  /** Highest id the tokenizer knows + 1 (a model's embedding matrix may have more rows). */
  vocabSize: number;
  bosTokenId: number | null;
  eosTokenId: number | null;
  /** Whether the model's own tokenizer prepends BOS when asked to add special tokens. */
  addBos: boolean;
}

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

type Json = Record<string, unknown>;

interface HfTokenizer {
  encode(text: string, opts: { add_special_tokens: boolean }): number[];
  decode(ids: number[], opts: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
  bos_token_id?: number;
  eos_token_id?: number;
}

async function readJson(src: ModelSource, file: string): Promise<Json> {
  let v: unknown;
  try {
    v = parseJsonText(await src.text(file));
  } catch (e) {
    if (e instanceof SyntaxError) throw new TokenizerError(`${src.describe}/${file} is not valid JSON (${e.message})`);
    throw e;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TokenizerError(`${src.describe}/${file} is not a JSON object`);
  return v as Json;
}

/** id -> stored token string, from the model vocabulary (BPE/WordPiece/WordLevel objects, Unigram lists) and added tokens. */
function vocabulary(json: Json): { tokens: (string | undefined)[]; added: Map<number, string> } {
  const tokens: (string | undefined)[] = [];
  const model = (json.model ?? {}) as Json;
  if (Array.isArray(model.vocab)) {
    model.vocab.forEach((entry, id) => {
      if (Array.isArray(entry) && typeof entry[0] === 'string') tokens[id] = entry[0];
    });
  } else if (typeof model.vocab === 'object' && model.vocab !== null) {
    for (const [tok, id] of Object.entries(model.vocab as Json)) if (typeof id === 'number') tokens[id] = tok;
  }
  const added = new Map<number, string>();
  if (Array.isArray(json.added_tokens)) {
    for (const t of json.added_tokens as Json[]) {
      if (typeof t.id === 'number' && typeof t.content === 'string') {
        added.set(t.id, t.content);
        tokens[t.id] = t.content;
      }
    }
  }
  return { tokens, added };
}

function idOrNull(v: unknown, vocabSize: number): number | null {
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < vocabSize ? v : null;
}

export async function loadTokenizer(src: ModelSource): Promise<Tokenizer> {
  if (!(await src.has('tokenizer.json'))) {
    const spm = await src.has('tokenizer.model');
    throw new TokenizerError(
      `${src.describe} has no tokenizer.json; the lab needs the Hugging Face tokenizers file` +
        (spm ? ' (it found only a SentencePiece tokenizer.model: export tokenizer.json with transformers\' AutoTokenizer.save_pretrained)' : ' next to config.json'),
    );
  }
  const tokenizerJson = await readJson(src, 'tokenizer.json');
  const tokenizerConfig = (await src.has('tokenizer_config.json')) ? await readJson(src, 'tokenizer_config.json') : {};
  const modelConfig = (await src.has('config.json')) ? await readJson(src, 'config.json').catch(() => ({}) as Json) : {};

  const { PreTrainedTokenizer } = await import('@huggingface/transformers');
  let hf: HfTokenizer;
  try {
    hf = new PreTrainedTokenizer(tokenizerJson, tokenizerConfig) as unknown as HfTokenizer;
  } catch (e) {
    throw new TokenizerError(`${src.describe}/tokenizer.json could not be loaded: ${(e as Error).message}`);
  }

  const { tokens, added } = vocabulary(tokenizerJson);
  const vocabSize = tokens.length;
  const rules: DisplayRules = displayRules(tokenizerJson);
  // Fixture folders often ship no tokenizer_config.json; config.json's ids are then the model's own.
  const bosTokenId = idOrNull(hf.bos_token_id, vocabSize) ?? idOrNull(modelConfig.bos_token_id, vocabSize);
  const eosTokenId = idOrNull(hf.eos_token_id, vocabSize) ?? idOrNull(modelConfig.eos_token_id, vocabSize);
  const probe = hf.encode('a', { add_special_tokens: true });
  const addBos = bosTokenId !== null && probe[0] === bosTokenId && hf.encode('a', { add_special_tokens: false })[0] !== bosTokenId;

  const known = (id: number) => Number.isInteger(id) && id >= 0 && id < vocabSize && tokens[id] !== undefined;
  const unknownMark = (id: number) => `<id ${id}>`;

  return {
    vocabSize,
    bosTokenId,
    eosTokenId,
    addBos,
    encode: (text) => hf.encode(text, { add_special_tokens: false }),
    decode(ids) {
      // The library throws on an empty list and on ids outside its vocabulary (e.g. Pythia's padded rows); decode
      // the known runs and mark the rest.
      let out = '';
      let run: number[] = [];
      const flush = () => {
        if (run.length) out += hf.decode(run, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
        run = [];
      };
      for (const id of ids) {
        if (known(id)) run.push(id);
        else {
          flush();
          out += unknownMark(id);
        }
      }
      flush();
      return out;
    },
    tokenStrings: (ids) =>
      ids.map((id) => {
        if (!known(id)) return unknownMark(id);
        const tok = tokens[id]!;
        return added.has(id) ? tok : displayToken(tok, rules);
      }),
  };
}
