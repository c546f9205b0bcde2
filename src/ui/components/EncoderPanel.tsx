import { memo, useMemo } from 'react';
import { useActions } from '../context.ts';
import { useFileDrop } from '../use-file-drop.ts';
import { encoderPlan, type EncoderFile } from '../encoder-state.ts';
import { formatPercent } from '../format.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { TokenChips } from './TokenChips.tsx';
import type { EncoderInfo } from '../../worker/protocol.ts';
import { modelShortName } from '../../library/names.ts';

/** What the file says about the encoder: its length, its features, its training, how well it did there. */
function describe(info: EncoderInfo): string {
  const held = info.heldOut > 0 ? `, ${formatPercent(info.heldOutAccuracy)} on ${info.heldOut} held-out texts` : '';
  // The command line records paths (a model folder, a folder of texts): their last part names them.
  const what = info.predictsM ? 'predicts e and m per text' : 'predicts e, with one universal m';
  return `texts of ${info.N} tokens, ${what}; made with ${modelShortName(info.model)} (${info.pool} of layer ${info.layer}) over ${info.texts} ${modelShortName(info.source)} texts in ${info.steps} steps; its prediction alone got ${formatPercent(info.trainAccuracy)} of the training tokens${held}.`;
}

const FileStatus = memo(function FileStatus({ file }: { file: EncoderFile }) {
  const actions = useActions();
  const busy = useLab((s) => runActive(s.run.phase));
  if (file.state === 'none') return file.note ? <p className="muted" data-testid="encoder-note">{file.note}</p> : null;
  if (file.state === 'loading') return <p data-testid="encoder-status">Reading {file.name}…</p>;
  if (file.state === 'error') {
    return (
      <p className="bad" role="alert" data-testid="encoder-error">
        {file.name}: {file.message}
      </p>
    );
  }
  return (
    <p className="row" data-testid="encoder-status">
      <span>
        <strong data-testid="encoder-name">{file.name}</strong>: <span className="muted">{describe(file.info)}</span>
      </span>{' '}
      <button type="button" data-testid="encoder-unload" disabled={busy} onClick={actions.unloadEncoder}>
        Unload
      </button>
    </p>
  );
});

/** The encoder's one-pass reconstruction of the text, before any step: the tokens it gets right turn green. */
const Prediction = memo(function Prediction() {
  // The plan is derived from stable slices: a selector returning a fresh object would re-render forever.
  const encoder = useLab((s) => s.encoder);
  const tokens = useLab((s) => s.tokens);
  const settings = useLab((s) => s.settings);
  const model = useLab((s) => s.model);
  const plan = useMemo(() => encoderPlan({ encoder, tokens, settings, model }), [encoder, tokens, settings, model]);
  const text = settings.text;
  const p = plan.kind === 'ready' ? plan.prediction : null;
  const ok = useMemo(() => p?.ids.map((id, i) => p.argmax[i] === id), [p]);
  const titles = useMemo(() => p?.ids.map((id, i) => `position ${i + 1}: token ${id}${p.argmax[i] === id ? '' : `, predicted ${p.argmax[i]}`}`), [p]);
  if (plan.kind === 'off' || text === '') return null;
  if (plan.kind === 'unused') return <p className="warn" data-testid="encoder-unused">{plan.why}</p>;
  if (plan.kind === 'wait') return <p className="muted" data-testid="encoder-waiting">The encoder is predicting…</p>;
  if (plan.kind === 'failed') {
    return (
      <p className="bad" role="alert" data-testid="encoder-failed">
        The encoder's prediction failed: {plan.message}
      </p>
    );
  }
  const { prediction, cut } = plan;
  const N = prediction.ids.length;
  return (
    <>
      {cut && (
        <p className="warn" data-testid="encoder-cut">
          The encoder reads {N} tokens: it predicts the first {N} of the text's {cut.of ?? 'many'}, and a run compresses those {N}.
        </p>
      )}
      <p data-testid="encoder-accuracy" data-correct={prediction.correct} data-n={N}>
        encoder: {prediction.correct}/{N} tokens right before any step ({formatPercent(prediction.correct / N)}); Compress starts e and m from this prediction, not from the seeded draw.
      </p>
      <TokenChips ids={prediction.ids} pieces={prediction.tokens.pieces.slice(0, N)} ok={ok} titles={titles} testId="encoder-strip" label="Positions the encoder's prediction reconstructs in one pass" />
      <p className="decoded" data-testid="encoder-decoded" title="One-pass decoding of the prediction">
        {prediction.decodedText}
      </p>
    </>
  );
});

/**
 * An encoder for the loaded model (a .safetensors file from protolab encoder train), picked or
 * dropped here; with one loaded, its reconstruction of the text shows as soon as the text is
 * tokenized, and Compress starts from its prediction.
 */
export function EncoderPanel() {
  const file = useLab((s) => s.encoder.file);
  const locked = useLab((s) => s.model.state !== 'ready' || runActive(s.run.phase));
  const actions = useActions();
  const { dragging, dropProps } = useFileDrop(({ files }) => files[0] && actions.loadEncoder(files[0]), !locked);
  return (
    <section
      className={`panel encoder-panel${dragging ? ' dragging' : ''}`}
      aria-labelledby="encoder-heading"
      data-testid="encoder-panel"
      data-state={file.state}
      {...dropProps}
    >
      <h2 id="encoder-heading">Encoder</h2>
      <p className="row">
        <label className="file-button">
          Encoder file…
          <input
            type="file"
            accept=".safetensors"
            data-testid="encoder-file"
            disabled={locked}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) actions.loadEncoder(f);
            }}
          />
        </label>{' '}
        <span className="muted">or drop one here: a network that predicts the text's e from the model's own reading of it (protolab encoder train), so a run starts near a solution.</span>
      </p>
      <FileStatus file={file} />
      {file.state === 'ready' && <Prediction />}
    </section>
  );
}
