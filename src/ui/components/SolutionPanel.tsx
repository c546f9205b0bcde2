import { useActions } from '../context.ts';
import { formatPercent } from '../format.ts';
import { useLab } from '../store.ts';
import { TokenChips } from './TokenChips.tsx';
import { CapacityBar } from './CapacityBar.tsx';
import { weightFormatNote } from '../../shared/weight-formats.ts';

/** Load a saved .safetensors solution: decode it in one forward pass and show the text. */
export function SolutionPanel() {
  const solution = useLab((s) => s.solution);
  const modelReady = useLab((s) => s.model.state === 'ready');
  const loadedFormat = useLab((s) => (s.model.state === 'ready' ? s.model.info.memory.format : null));
  const spec = useLab((s) => (s.model.state === 'ready' ? s.model.info.spec : null));
  const actions = useActions();
  return (
    <section className="panel" aria-labelledby="solution-heading" data-testid="solution-panel" data-state={solution.state}>
      <h2 id="solution-heading">Load a solution</h2>
      <label className="file-button">
        Solution file…
        <input
          type="file"
          accept=".safetensors"
          data-testid="solution-file"
          disabled={!modelReady}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) actions.loadSolution(f);
          }}
        />
      </label>
      {!modelReady && <span className="muted"> (load the model it was made with first)</span>}
      {solution.state === 'decoding' && <p>Decoding {solution.name}…</p>}
      {solution.state === 'error' && (
        <p className="bad" role="alert" data-testid="solution-error">
          {solution.name}: {solution.message}
        </p>
      )}
      {solution.state === 'ready' && (
        <>
          <p className="decoded" data-testid="solution-text">
            {solution.decoded.text}
          </p>
          <TokenChips
            ids={solution.decoded.ids}
            pieces={solution.decoded.pieces}
            ok={solution.decoded.meta.targetIds.map((t, i) => solution.decoded.ids[i] === t)}
            testId="solution-strip"
            label="Decoded positions that match the stored text"
          />
          <p className="muted" data-testid="solution-meta">
            {solution.decoded.name}: {solution.decoded.cTokens} / {solution.decoded.meta.targetIds.length} tokens match the stored text (
            {formatPercent(solution.decoded.cTokens / Math.max(1, solution.decoded.meta.targetIds.length))}); made with {solution.decoded.meta.model}, layout {solution.decoded.meta.layout}, seed{' '}
            {solution.decoded.meta.seed}, {solution.decoded.meta.steps} steps.
          </p>
          <FormatNote note={loadedFormat && weightFormatNote(solution.decoded.meta.weightFormat, loadedFormat)} />
          {/* H_LM is not asked for a file: the bar shows the tokens matched against the bound. */}
          {spec && (
            <CapacityBar testId="solution-capacity" hidden={spec.hidden} vocabSize={spec.vocabSize} length={solution.decoded.meta.targetIds.length} correct={null} best={solution.decoded.cTokens} hLmNats={null} />
          )}
        </>
      )}
    </section>
  );
}

/** The decoding above was made with the loaded model's weight format, which may not be the solution's. */
function FormatNote({ note }: { note: string | null }) {
  if (!note) return null;
  return (
    <p className="warn" data-testid="solution-format-note">
      {note}
    </p>
  );
}
