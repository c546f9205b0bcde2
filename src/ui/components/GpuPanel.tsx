import { CPU_PEER_NOTICE } from '../peer-notice-latest.ts';
import { useLab } from '../store.ts';

/** The main thread's view of WebGPU (the engine worker reports its own adapter with the model). */
export function GpuPanel() {
  const status = useLab((s) => s.gpu);
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
          {status.fallback && CPU_PEER_NOTICE && (
            <>
              <dt>Measured on such an adapter</dt>
              <dd data-testid="webgpu-peer-notice">{CPU_PEER_NOTICE}</dd>
            </>
          )}
          <dt>Features</dt>
          <dd>{status.features.join(', ') || 'none'}</dd>
        </dl>
      )}
    </section>
  );
}
