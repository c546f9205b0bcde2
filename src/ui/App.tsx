import { ActionsContext } from './context.ts';
import { useKeyboard } from './keyboard.ts';
import type { Lab } from './lab.ts';
import { useLab } from './store.ts';
import { VIEWS } from './views.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { Notices } from './components/Notices.tsx';
import { ResumeOffer } from './components/library/ResumeOffer.tsx';
import { ViewTabs } from './components/ViewTabs.tsx';

// Components never import src/gpu, src/model or src/prototokens: the engine lives in a Web Worker
// and the UI reaches it only through lab.ts and the messages of src/worker/protocol.ts.

export function App({ lab }: { lab: Lab }) {
  useKeyboard(lab.actions);
  const view = VIEWS[useLab((s) => s.settings.view)];
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
        <ResumeOffer />
        <ModelPanel />
        <ViewTabs />
        <p className="muted view-blurb">{view.blurb}</p>
        {view.render()}
      </main>
    </ActionsContext.Provider>
  );
}
