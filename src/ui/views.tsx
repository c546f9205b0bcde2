/**
 * The lab's views (tabs): each one a title and the panels it shows. The chosen view is part of the
 * settings, so it lives in the URL like everything else; the model, the engine worker and any run
 * are shared by all views (switching tabs never stops an optimisation).
 */
import type { ReactNode } from 'react';
import { GpuPanel } from './components/GpuPanel.tsx';
import { RunPanel } from './components/RunPanel.tsx';
import { SolutionPanel } from './components/SolutionPanel.tsx';
import { TextPanel } from './components/TextPanel.tsx';
import type { ViewName } from './url-state.ts';
import { ExperimentsView } from './components/experiments/ExperimentsView.tsx';
import { LibraryView } from './components/library/LibraryView.tsx';

export interface ViewSpec {
  title: string;
  /** One line under the tab bar: what this view is for. */
  blurb: string;
  render(): ReactNode;
}

export const VIEWS: Record<ViewName, ViewSpec> = {
  library: {
    title: 'Library',
    blurb: 'Every solution this browser made or imported, kept in IndexedDB: search, sort, tag, export, delete with undo, import.',
    render: () => <LibraryView />,
  },
  compress: {
    title: 'Compress',
    blurb: 'Paste a text and watch the frozen model learn to emit it in one forward pass.',
    render: () => (
      <>
        <TextPanel />
        <RunPanel />
        <SolutionPanel />
        <GpuPanel />
      </>
    ),
  },
  experiments: {
    title: 'Experiments',
    blurb: 'The paper’s experiments on the loaded model: capacity, layouts, sharing, the memory-token baseline, and decoding throughput.',
    render: () => <ExperimentsView />,
  },
};
