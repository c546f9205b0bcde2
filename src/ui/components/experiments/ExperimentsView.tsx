import './experiments.css';
import { ExperimentForm } from './ExperimentForm.tsx';
import { ExperimentProgressView, ExperimentResults } from './ExperimentResults.tsx';
import { ThroughputPanel } from './ThroughputPanel.tsx';
import { EncoderEvalPanel } from './EncoderEvalPanel.tsx';

/** The experiments view: the paper's experiments run in the worker, their tables and plots drawn as results arrive, an encoder's measurement, and decoding throughput. */
export function ExperimentsView() {
  return (
    <div className="experiments-view">
      <section className="panel" aria-labelledby="exp-heading" data-testid="exp-panel">
        <h2 id="exp-heading">Run an experiment</h2>
        <ExperimentForm />
        <ExperimentProgressView />
      </section>
      <ExperimentResults />
      <EncoderEvalPanel />
      <ThroughputPanel />
    </div>
  );
}
