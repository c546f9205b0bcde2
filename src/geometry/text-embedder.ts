/**
 * Which semantic text embedding the geometry experiment uses, and why (shown next to the Fig. 5
 * plot). The paper used all-MiniLM-L6-v2, a sentence encoder trained for similarity; the lab runs it
 * through @huggingface/transformers when it can get the weights: from a folder the lab's server
 * serves (no network needed), else from the Hugging Face Hub. Without either, the loaded language
 * model's own mean-pooled final hidden states stand in, labelled as such: a different measure.
 */

/** 'auto': MiniLM when available, else the model's hidden states; the others force one. */
export type EmbedderPreference = 'auto' | 'minilm' | 'model';
export const EMBEDDER_PREFERENCES: readonly EmbedderPreference[] = ['auto', 'minilm', 'model'];

/** The ONNX export of sentence-transformers/all-MiniLM-L6-v2 that transformers.js loads. */
export const MINILM_HUB_REPO = 'Xenova/all-MiniLM-L6-v2';
/** Weight files transformers.js can run, best first (fp32, then the 8-bit export). */
export const MINILM_WEIGHT_FILES = ['onnx/model.onnx', 'onnx/model_quantized.onnx'] as const;

export type EmbedderSource = { from: 'local'; name: string; baseUrl: string; weights: string } | { from: 'hub'; repo: string };

export type EmbedderChoice =
  | { kind: 'minilm'; source: EmbedderSource; label: string; reason: string }
  | { kind: 'model-hidden'; label: string; reason: string };

/** A served model folder as the lab's catalog lists it (name and its files, relative paths). */
export interface ServedFolder {
  name: string;
  files: readonly string[];
}

export type LocalMiniLM = { found: true; name: string; weights: string } | { found: false; why: string };

/**
 * A served folder holding all-MiniLM-L6-v2 for transformers.js: named like it, with its tokenizer
 * and ONNX weights. A folder with the name but no weights (the tokenizer-only copy) is reported.
 */
export function findLocalMiniLM(folders: readonly ServedFolder[]): LocalMiniLM {
  const named = folders.filter((f) => /minilm-l6/i.test(f.name));
  if (named.length === 0) return { found: false, why: 'the lab serves no all-MiniLM-L6-v2 folder (put one with onnx/model.onnx in PROTOLAB_MODELS)' };
  const problems: string[] = [];
  for (const f of named) {
    const weights = MINILM_WEIGHT_FILES.find((w) => f.files.includes(w));
    if (!f.files.includes('tokenizer.json')) problems.push(`${f.name} has no tokenizer.json`);
    else if (!weights) problems.push(`${f.name} has no ONNX weights (${MINILM_WEIGHT_FILES.join(' or ')})`);
    else return { found: true, name: f.name, weights };
  }
  return { found: false, why: problems.join('; ') };
}

export type HubProbe = { reachable: true } | { reachable: false; why: string };

/** The rule, in order: forced choice, a served copy, the Hub, the model's own hidden states. */
export function chooseEmbedder(preference: EmbedderPreference, local: LocalMiniLM, hub: HubProbe, modelLabel: string, modelsBaseUrl = '/models/'): EmbedderChoice {
  const hidden = (reason: string): EmbedderChoice => ({ kind: 'model-hidden', label: `${modelLabel}: mean-pooled final hidden states (not MiniLM)`, reason });
  if (preference === 'model') return hidden('chosen in the settings');
  if (local.found) {
    return {
      kind: 'minilm',
      source: { from: 'local', name: local.name, baseUrl: modelsBaseUrl, weights: local.weights },
      label: `all-MiniLM-L6-v2 (served folder ${local.name})`,
      reason: `found ${local.weights} in the served folder ${local.name}`,
    };
  }
  if (hub.reachable) return { kind: 'minilm', source: { from: 'hub', repo: MINILM_HUB_REPO }, label: `all-MiniLM-L6-v2 (${MINILM_HUB_REPO} from the Hub)`, reason: `no served copy (${local.why}); the Hugging Face Hub is reachable` };
  const asked = preference === 'minilm' ? 'all-MiniLM-L6-v2 was asked for but is unavailable: ' : '';
  return hidden(`${asked}${local.why}, and the Hugging Face Hub is not reachable (${hub.why})`);
}

export type TextEmbedFn = (texts: readonly string[]) => Promise<Float64Array[]>;

export interface EmbedResult {
  vectors: Float64Array[];
  /** What was actually used (a MiniLM choice that failed to load becomes the fallback, with the error). */
  used: EmbedderChoice;
}

/**
 * Embeds the texts with the chosen encoder; when MiniLM was chosen but fails (download, ONNX
 * runtime), falls back to the model's hidden states and says why, rather than losing the experiment.
 */
export async function embedTexts(
  choice: EmbedderChoice,
  texts: readonly string[],
  loaders: { minilm: (source: EmbedderSource) => Promise<TextEmbedFn>; hidden: TextEmbedFn },
  modelLabel: string,
): Promise<EmbedResult> {
  if (choice.kind === 'minilm') {
    try {
      const embed = await loaders.minilm(choice.source);
      const vectors = await embed(texts);
      if (vectors.length !== texts.length) throw new Error(`it returned ${vectors.length} vectors for ${texts.length} texts`);
      return { vectors, used: choice };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return {
        vectors: await loaders.hidden(texts),
        used: { kind: 'model-hidden', label: `${modelLabel}: mean-pooled final hidden states (not MiniLM)`, reason: `${choice.label} could not be used (${why})` },
      };
    }
  }
  return { vectors: await loaders.hidden(texts), used: choice };
}
