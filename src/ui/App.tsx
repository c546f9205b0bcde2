import { ActionsContext } from './context.ts';
import { useKeyboard } from './keyboard.ts';
import type { Lab } from './lab.ts';
import { GpuPanel } from './components/GpuPanel.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { Notices } from './components/Notices.tsx';
import { RunPanel } from './components/RunPanel.tsx';
import { SolutionPanel } from './components/SolutionPanel.tsx';
import { TextPanel } from './components/TextPanel.tsx';

// Components never import src/gpu, src/model or src/prototokens: the engine lives in a Web Worker
// and the UI reaches it only through lab.ts and the messages of src/worker/protocol.ts.

export function App({ lab }: { lab: Lab }) {
  useKeyboard(lab.actions);
  return (
    <ActionsContext.Provider value={lab.actions}>
      <main className="app">
        <header>
          <h1>Proto-token Lab</h1>
          <p className="muted">
            Compress a text into two vectors <var>e</var> and <var>m</var> so that a frozen model fed [e, m, …, m] emits it in one forward pass. Keys: Space
            run/pause, S step.
          </p>
        </header>
        <Notices />
        <ModelPanel />
        <TextPanel />
        <RunPanel />
        <SolutionPanel />
        <GpuPanel />
      </main>
    </ActionsContext.Provider>
  );
}
