import { useEffect, useState } from 'react';

// The shell only probes navigator.gpu itself; it must never import src/gpu or src/model,
// because the engine lives in a Web Worker and the UI talks to it by messages.

type GpuStatus =
  | { state: 'checking' }
  | { state: 'unavailable'; reason: string }
  | { state: 'ready'; info: { vendor: string; architecture: string; device: string; description: string }; fallback: boolean; features: string[] };

interface ModelEntry {
  name: string;
  files: string[];
  bytes: number;
}

type ModelsStatus = { state: 'loading' } | { state: 'error'; reason: string } | { state: 'ready'; models: ModelEntry[] };

async function probeGpu(): Promise<GpuStatus> {
  if (!('gpu' in navigator) || !navigator.gpu) return { state: 'unavailable', reason: 'navigator.gpu is missing: use a recent Chrome or Edge with WebGPU enabled.' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { state: 'unavailable', reason: 'navigator.gpu exists but no adapter was granted.' };
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
  return { state: 'ready', info: { vendor, architecture, device, description }, fallback: isFallbackAdapter === true, features: [...adapter.features].sort() };
}

async function fetchModels(): Promise<ModelEntry[]> {
  const response = await fetch('/models/index.json');
  if (!response.ok) throw new Error(`/models/index.json answered ${response.status}`);
  return (await response.json()) as ModelEntry[];
}

function useAsync<T>(run: () => Promise<T>, initial: T, onError: (reason: string) => T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    let live = true;
    run().then(
      (v) => live && setValue(v),
      (e: unknown) => live && setValue(onError(e instanceof Error ? e.message : String(e))),
    );
    return () => {
      live = false;
    };
    // Once per mount: the probes take no inputs, and `live` drops the answer of StrictMode's discarded first mount.
  }, []);
  return value;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function GpuPanel({ status }: { status: GpuStatus }) {
  return (
    <section className="panel" data-testid="webgpu-status" data-state={status.state}>
      <h2>WebGPU</h2>
      {status.state === 'checking' && <p>Requesting an adapter…</p>}
      {status.state === 'unavailable' && <p className="bad">Unavailable: {status.reason}</p>}
      {status.state === 'ready' && (
        <dl>
          <dt>Adapter</dt>
          <dd data-testid="webgpu-adapter">{[status.info.vendor, status.info.architecture].filter(Boolean).join(' / ') || 'unnamed'}</dd>
          {status.info.description && (
            <>
              <dt>Description</dt>
              <dd>{status.info.description}</dd>
            </>
          )}
          <dt>Fallback (CPU) adapter</dt>
          <dd>{status.fallback ? 'yes: expect slow kernels' : 'no'}</dd>
          <dt>Features</dt>
          <dd>{status.features.join(', ') || 'none'}</dd>
        </dl>
      )}
    </section>
  );
}

function ModelPanel({ status }: { status: ModelsStatus }) {
  return (
    <section className="panel" data-testid="model-list" data-state={status.state}>
      <h2>Models</h2>
      {status.state === 'loading' && <p>Loading /models/index.json…</p>}
      {status.state === 'error' && <p className="bad">{status.reason}</p>}
      {status.state === 'ready' && status.models.length === 0 && <p>No models found. Set PROTOLAB_MODELS and restart the dev server.</p>}
      {status.state === 'ready' && status.models.length > 0 && (
        <ul>
          {status.models.map((m) => (
            <li key={m.name} data-model={m.name}>
              <strong>{m.name}</strong> <span className="muted">{m.files.length} files, {formatBytes(m.bytes)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function App() {
  const gpu = useAsync<GpuStatus>(probeGpu, { state: 'checking' }, (reason) => ({ state: 'unavailable', reason }));
  const models = useAsync<ModelsStatus>(
    async () => ({ state: 'ready', models: await fetchModels() }),
    { state: 'loading' },
    (reason) => ({ state: 'error', reason }),
  );
  return (
    <main className="app">
      <header>
        <h1>Proto-token Lab</h1>
      </header>
      <GpuPanel status={gpu} />
      <ModelPanel status={models} />
    </main>
  );
}
