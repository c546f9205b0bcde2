import { memo, useMemo } from 'react';
import { useActions } from '../context.ts';
import { formatDuration, formatPercent } from '../format.ts';
import { useLab } from '../store.ts';
import { Charts } from './Charts.tsx';
import { RunControls } from './RunControls.tsx';
import { RunProgress } from './RunProgress.tsx';
import { RunInit } from './RunInit.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { TokenChips } from './TokenChips.tsx';
import { CapacityBar } from './CapacityBar.tsx';
import type { LabState } from '../state.ts';

const STOPPED: Record<string, string> = {
  solved: 'solved: every token reconstructed',
  'max-steps': 'reached the step limit',
  patience: 'no gain for too long',
  stopped: 'stopped',
  'non-finite': 'the loss became non-finite (try a smaller learning rate)',
};

// Each part subscribes to its own slice, so a progress report re-renders only what it changes.

/** Tokens right with the kept (best) vectors: the solution's count once done, else the last report's. */
const bestOf = (s: LabState): number => (s.run.result?.meta ? s.run.result.meta.cTokens : (s.run.latest?.bestCorrect ?? 0));

const Stats = memo(function Stats() {
  const latest = useLab((s) => s.run.latest);
  const result = useLab((s) => s.run.result);
  const N = useLab((s) => s.run.ids.length);
  const best = useLab(bestOf);
  const seen = N > 0 && (latest !== null || result !== null);
  return (
    <dl className="stats">
      <dt>step</dt>
      <dd data-testid="run-step">{result ? result.steps : (latest?.step ?? 0)}</dd>
      <dt>accuracy</dt>
      <dd data-testid="accuracy">{seen ? formatPercent(best / N) : '–'}</dd>
      <dt>C_tokens</dt>
      <dd data-testid="c-tokens">{seen ? `${best} / ${N}` : '–'}</dd>
      <dt>loss</dt>
      <dd data-testid="loss">{latest ? `${latest.loss.toFixed(3)} nats (best ${latest.bestLoss.toFixed(3)})` : '–'}</dd>
      <dt>speed</dt>
      <dd data-testid="steps-per-sec">{latest ? `${latest.stepsPerSec.toFixed(1)} steps/s` : '–'}</dd>
      <dt>elapsed</dt>
      <dd data-testid="elapsed">{result ? formatDuration(result.seconds * 1000) : latest ? formatDuration(latest.elapsedMs) : '–'}</dd>
    </dl>
  );
});

/** The run on one scale in tokens with the bound of one vector and the text's H_LM (CapacityBar), under the model that runs it. */
const Capacity = memo(function Capacity() {
  const N = useLab((s) => s.run.ids.length);
  const best = useLab(bestOf);
  // The current vectors' count while running; a finished run shows its kept solution only.
  const correct = useLab((s) => (s.run.result ? null : (s.run.latest?.cTokens ?? null)));
  const hLm = useLab((s) => s.run.hLm);
  const spec = useLab((s) => (s.model.state === 'ready' && s.model.info.label === s.run.modelLabel ? s.model.info.spec : null));
  if (N === 0 || !spec) return null;
  return <CapacityBar testId="capacity-bar" hidden={spec.hidden} vocabSize={spec.vocabSize} length={N} correct={correct} best={best} hLmNats={hLm} />;
});

/** Target tokens; green where the one-pass decoding matches (the kept best when done, else the current argmax). */
const Strip = memo(function Strip() {
  const ids = useLab((s) => s.run.ids);
  const pieces = useLab((s) => s.run.pieces);
  const latestArgmax = useLab((s) => s.run.latest?.argmax);
  const doneIds = useLab((s) => s.run.result?.decodedIds);
  const modelLabel = useLab((s) => s.run.modelLabel);
  const predicted = doneIds ?? latestArgmax;
  const { ok, titles } = useMemo(
    () => ({
      ok: ids.map((id, i) => predicted?.[i] === id),
      titles: ids.map((id, i) => `position ${i + 1}: token ${id}${predicted === undefined || predicted[i] === id ? '' : `, predicted ${predicted[i]}`}`),
    }),
    [ids, predicted],
  );
  return (
    <>
      <h3>Reconstruction{modelLabel ? ` (${modelLabel})` : ''}</h3>
      {ids.length === 0 ? (
        <p className="muted">The text's tokens turn green here as one forward pass reconstructs them.</p>
      ) : (
        <TokenChips ids={ids} pieces={pieces} ok={ok} titles={titles} testId="token-strip" label="Positions reconstructed by one forward pass" />
      )}
    </>
  );
});

const Decoded = memo(function Decoded() {
  const latest = useLab((s) => s.run.latest?.decodedText);
  const done = useLab((s) => s.run.result?.decodedText);
  return (
    <p className="decoded" data-testid="decoded-text" aria-live="polite" title="One-pass decoding">
      {done ?? latest ?? ''}
    </p>
  );
});

const Result = memo(function Result() {
  const result = useLab((s) => s.run.result);
  const actions = useActions();
  if (!result) return null;
  return (
    <p className="row" data-testid="run-result">
      <span>
        {STOPPED[result.stoppedBy] ?? result.stoppedBy} after {result.steps} steps, {formatDuration(result.seconds * 1000)}.
      </span>
      <button type="button" data-testid="save" disabled={!result.solution} onClick={actions.save} title={result.fileName}>
        Save solution
      </button>
      {result.meta && 'K' in result.meta && (
        <span className="muted" data-testid="memory-result">
          {' '}
          {result.meta.cTokens} / {result.meta.targetIds.length} tokens decoded from the memory alone. Memory-token solutions are not kept in the library: save the file
          (protolab decode and throughput read it).
        </span>
      )}
    </p>
  );
});

export function RunPanel() {
  const phase = useLab((s) => s.run.phase);
  const error = useLab((s) => s.run.error);
  return (
    <section className="panel" aria-labelledby="run-heading" data-testid="run-panel" data-phase={phase}>
      <h2 id="run-heading">Compress</h2>
      <SettingsPanel />
      <RunControls />
      <RunProgress />
      <RunInit />
      {error && (
        <p className="bad" role="alert" data-testid="run-error">
          {error}
        </p>
      )}
      <Stats />
      <Capacity />
      <Strip />
      <Decoded />
      <Result />
      <Charts />
    </section>
  );
}
