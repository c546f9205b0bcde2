import { useEffect } from 'react';
import type { LabActions } from './lab.ts';

/** Keys typed into a field, or Space on a button, belong to that element, not to the shortcuts. */
function ownsKeys(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(target.tagName);
}

/** Space: compress / pause / resume. S: one step. */
export function useKeyboard(actions: LabActions): void {
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ownsKeys(ev.target)) return;
      if (ev.code === 'Space') {
        ev.preventDefault();
        actions.toggleRun();
      } else if (ev.key === 's' || ev.key === 'S') {
        ev.preventDefault();
        actions.step();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);
}
