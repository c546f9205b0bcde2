import type { ProtoReport } from '../prototokens/input-trainer.ts';
import type { ReportTiming } from '../prototokens/optimise.ts';

/** A one-line progress bar on stderr, drawn only on a terminal so pipes and logs stay clean. */
export function progressLine(done: number, total: number, extra: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((width * Math.min(done, total)) / Math.max(1, total));
  process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${extra}`);
}

export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}

/** The compress commands' live line: step of max, loss and best accuracy of item 0, recent steps/s. */
export function optimiseProgress(maxSteps: number, N: number) {
  return (rep: ProtoReport, t: ReportTiming): void =>
    progressLine(rep.step, maxSteps, `loss ${rep.loss[0].toFixed(3)} acc ${(rep.bestCorrect[0] / N).toFixed(3)} ${t.stepsPerSec.toFixed(1)} steps/s`);
}
