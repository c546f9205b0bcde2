import { useLab } from '../store.ts';
import { formatBytes, formatCount, formatDuration } from '../format.ts';
import { useEta } from '../use-eta.ts';
import { ModelMemoryView } from './WeightFormats.tsx';

export function ModelStatus() {
  const model = useLab((s) => s.model);
  const loading = model.state === 'loading' ? model : null;
  const eta = useEta(loading ? `${loading.ref}|${loading.phase}|${loading.file}` : '', loading?.loaded ?? 0, loading?.total ?? 0);
  return (
    <div className="model-status" data-testid="model-status" data-state={model.state}>
      {model.state === 'none' && <p className="muted">No model loaded.</p>}
      {model.state === 'loading' && (
        <>
          <p>
            Loading <strong>{model.label}</strong>: {model.phase === 'start' ? 'starting…' : model.phase === 'download' ? `downloading ${model.file}` : 'uploading weights to the GPU'}
            {model.total > 0 && ` (${formatBytes(model.loaded)} of ${formatBytes(model.total)})`}
            {eta !== null && <span data-testid="model-eta">{`, about ${formatDuration(eta)} left`}</span>}
          </p>
          <progress max={model.total || 1} value={model.total > 0 ? model.loaded : undefined} />
        </>
      )}
      {model.state === 'error' && (
        <p className="bad" role="alert">
          {model.label ? `${model.label}: ` : ''}
          {model.message}
        </p>
      )}
      {model.state === 'ready' && (
        <p data-testid="model-ready">
          <strong>{model.info.label}</strong> ready in {model.info.seconds.toFixed(1)} s: <span data-testid="model-family">{model.info.spec.family}</span>, {formatCount(model.info.spec.parameterCount)} parameters, {model.info.spec.layers} layers,
          width {model.info.spec.hidden}, vocabulary {model.info.spec.vocabSize}, up to {model.info.spec.maxPositions} positions.{' '}
          <span className="muted">
            Engine adapter: {[model.info.adapter.vendor, model.info.adapter.architecture].filter(Boolean).join(' / ') || 'unnamed'}
            {model.info.adapter.cpuEmulated ? ' (CPU emulation: slow)' : ''}
          </span>
        </p>
      )}
      {model.state === 'ready' && <ModelMemoryView memory={model.info.memory} />}
    </div>
  );
}
