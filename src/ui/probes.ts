/** Main-thread look-ups at start-up: the WebGPU adapter (for display only) and the served models. */
import type { CatalogEntry, GpuProbe } from './state.ts';

export async function probeGpu(): Promise<GpuProbe> {
  if (!('gpu' in navigator) || !navigator.gpu) return { state: 'unavailable', reason: 'navigator.gpu is missing: use a recent Chrome or Edge with WebGPU enabled.' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { state: 'unavailable', reason: 'navigator.gpu exists but no adapter was granted.' };
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
  return { state: 'ready', info: { vendor, architecture, device, description }, fallback: isFallbackAdapter === true, features: [...adapter.features].sort() };
}

export async function fetchModels(): Promise<CatalogEntry[]> {
  const response = await fetch('/models/index.json');
  if (!response.ok) throw new Error(`/models/index.json answered ${response.status}`);
  const list = (await response.json()) as unknown;
  if (!Array.isArray(list)) throw new Error('/models/index.json is not a list');
  return list as CatalogEntry[];
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
