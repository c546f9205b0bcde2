/** Derived facts about the state, shared by the controller and the components. */
import { runActive, type LabState } from './state.ts';
import { experimentActive } from './experiments-state.ts';

/** Whether Compress can start now, and why not. */
export function compressBlocker(s: LabState): string | null {
  if (s.model.state !== 'ready') return 'Load a model first.';
  if (runActive(s.run.phase)) return 'A compression is running.';
  if (experimentActive(s.experiments.phase)) return 'An experiment is running (Experiments view): cancel it or let it finish first.';
  const t = s.tokens.current;
  if (s.settings.text.trim() === '') return 'Paste a text first.';
  if (!t || t.text !== s.settings.text) return 'Tokenizing…';
  if (t.ids.length === 0) return 'The text has no tokens.';
  if (t.tooLong) return `The text has ${t.partial ? 'more than ' + t.maxTokens : t.ids.length} tokens; this model and layout take at most ${t.maxTokens}.`;
  return null;
}
