import { memo } from 'react';
import { formatPercent } from '../format.ts';
import { useLab } from '../store.ts';

/** Where the run began, when that was the encoder's prediction rather than the seeded draw (the worker says so as the run starts). */
export const RunInit = memo(function RunInit() {
  const start = useLab((s) => s.run.encoderStart);
  if (!start) return null;
  const { N, initialCorrect } = start;
  return (
    <p className="muted" data-testid="run-init" data-init="encoder" data-correct={initialCorrect} data-n={N}>
      init encoder: this run started from the encoder's prediction, {initialCorrect}/{N} tokens right before any step ({formatPercent(initialCorrect / N)}).
    </p>
  );
});
