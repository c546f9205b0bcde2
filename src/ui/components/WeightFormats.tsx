import { memo } from 'react';
import { WEIGHT_FORMAT_NOTES } from '../../shared/weight-formats.ts';
import { useActions } from '../context.ts';
import { formatBytes } from '../format.ts';
import { useLab } from '../store.ts';
import type { ModelReady } from '../state.ts';
import { PAGE_WEIGHTS, type PageWeights } from '../weights.ts';

type Memory = ModelReady['memory'];

const CHOICE_LABELS: Readonly<Record<PageWeights, string>> = {
  checkpoint: "checkpoint's own precision",
  f32: 'f32',
  f16: 'f16',
  bf16: 'bf16',
  q8: 'q8',
  q4: 'q4',
  auto: 'auto: the most precise that fits',
};

/**
 * How the weights are stored: the select sits in the model panel's fieldset, so it is locked while a
 * model loads or a run goes on (changing it reloads the model: lab.ts setSettings).
 */
export const WeightsSelect = memo(function WeightsSelect() {
  const weights = useLab((s) => s.settings.weights);
  const actions = useActions();
  return (
    <label className="row" title="A change loads the model again with its weights stored this way.">
      weights{' '}
      <select data-testid="setting-weights" value={weights} onChange={(e) => actions.setSettings({ weights: e.target.value as PageWeights })}>
        {PAGE_WEIGHTS.map((w) => (
          <option key={w} value={w}>
            {CHOICE_LABELS[w]}
          </option>
        ))}
      </select>
    </label>
  );
});

/**
 * The loaded model's weight format and the GPU memory the engine holds, plus every format's size:
 * the weights alone and with a one-text trainer of `n` tokens, and whether that fits the memory
 * the engine plans for (a budget if one is set, else an assumed 8 GiB: WebGPU does not say how much
 * a GPU has). Exact bytes ride in data-bytes so
 * tests can compare them with the engine's plan without parsing the rounded figure.
 */
export function ModelMemoryView({ memory }: { memory: Memory }) {
  return (
    <div className="model-memory" data-testid="model-memory">
      <p>
        Weights stored as <strong data-testid="weight-format">{memory.format}</strong> ({formatBytes(memory.weightBytes)}); GPU memory in use:{' '}
        <strong data-testid="gpu-memory" data-bytes={memory.inUse}>
          {formatBytes(memory.inUse)}
        </strong>
        .
      </p>
      <FormatTable memory={memory} />
    </div>
  );
}

function FormatTable({ memory }: { memory: Memory }) {
  return (
    <table className="weight-formats" data-testid="weight-formats">
      <caption className="muted">
        Each format&apos;s weights, and with a proto-token run of {memory.n} tokens; fits: that run within the {formatBytes(memory.available)} of GPU memory the engine plans for.
      </caption>
      <thead>
        <tr>
          <th>format</th>
          <th>weights</th>
          <th>run of {memory.n} tokens</th>
          <th>fits</th>
        </tr>
      </thead>
      <tbody>
        {memory.formats.map((f) => (
          <tr key={f.format} data-testid="weight-format-row" data-format={f.format} data-fits={f.fits} className={f.format === memory.format ? 'current' : undefined}>
            <td title={WEIGHT_FORMAT_NOTES[f.format]}>
              {f.format}
              {f.format === memory.format ? ' (loaded)' : ''}
            </td>
            <td data-testid="weight-bytes" data-bytes={f.weightBytes}>
              {formatBytes(f.weightBytes)}
            </td>
            <td data-testid="total-bytes" data-bytes={f.totalBytes}>
              {formatBytes(f.totalBytes)}
            </td>
            <td className={f.fits ? undefined : 'bad'}>{f.fits ? 'yes' : 'no'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

