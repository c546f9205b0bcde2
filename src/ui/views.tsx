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
import { EncoderPanel } from './components/EncoderPanel.tsx';
import type { ViewName } from './url-state.ts';
import { GeometryView } from './components/geometry/GeometryView.tsx';
import { ExperimentsView } from './components/experiments/ExperimentsView.tsx';
import { LibraryView } from './components/library/LibraryView.tsx';
import { InterpolateView } from './components/interp/InterpolateView.tsx';

export interface ViewSpec {
  title: string;
  /** One line under the tab bar: what this view is for. */
  blurb: string;
  render(): ReactNode;
}

export const VIEWS: Record<ViewName, ViewSpec> = {
  geometry: {
    title: 'Geometry',
    blurb: 'Where solutions lie: distances between proto-tokens of the same text, the same context and different contexts, against text distances, and linear interpolation between seeds (Figs. 5–7).',
    render: () => <GeometryView />,
  },
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
        <EncoderPanel />
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
  interpolate: {
    title: 'Interpolate',
    blurb: 'Join two saved solutions of one text by the straight segment and a trained quadratic Bezier curve (Eq. 4–5): accuracy and loss along τ, the text decoded at any τ, and both paths in 2-D.',
    render: () => <InterpolateView />,
  },
};
