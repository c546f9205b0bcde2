/**
 * all-MiniLM-L6-v2 sentence embeddings through @huggingface/transformers (ONNX Runtime Web, on the
 * CPU through WebAssembly): mean pooling and unit length, as sentence-transformers does for this
 * model. The library is imported only when MiniLM is used, so the lab does not load it otherwise.
 */
import type { EmbedderSource, TextEmbedFn } from './text-embedder.ts';

export async function loadMiniLM(source: EmbedderSource): Promise<TextEmbedFn> {
  const { pipeline, env } = await import('@huggingface/transformers');
  let modelId: string;
  if (source.from === 'local') {
    // Files come from the lab's own server (/models/<name>/...), never from the network.
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = new URL(source.baseUrl, globalThis.location?.href ?? 'http://localhost/').href;
    modelId = source.name;
  } else {
    env.allowRemoteModels = true;
    modelId = source.repo;
  }
  const quantized = source.from === 'local' && source.weights.endsWith('_quantized.onnx');
  const extractor = await pipeline('feature-extraction', modelId, { dtype: quantized ? 'q8' : 'fp32', device: 'wasm' });
  return async (texts) => {
    const out = await extractor([...texts], { pooling: 'mean', normalize: true });
    return (out.tolist() as number[][]).map((row) => Float64Array.from(row));
  };
}

/** Whether the Hub answers at all (a HEAD of the model's config), within `timeoutMs`. */
export async function probeHub(repo: string, timeoutMs = 4000): Promise<{ reachable: true } | { reachable: false; why: string }> {
  try {
    const r = await fetch(`https://huggingface.co/${repo}/resolve/main/config.json`, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return r.ok ? { reachable: true } : { reachable: false, why: `it answered HTTP ${r.status}` };
  } catch (e) {
    const name = (e as Error).name;
    return { reachable: false, why: name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e as Error).message || String(e) };
  }
}
