/**
 * The geometry view's messages (issue 5 §3), kept apart from the others; protocol.ts joins them into
 * ToWorker / FromWorker and re-exports them. One experiment runs at a time; its results arrive as
 * partials (texts, solutions with their distance matrices, text distances, interpolation pairs)
 * so the page draws each plot as soon as its data exists.
 */
import type { GeometryPartial, GeometryProgress, GeometrySettings } from '../geometry/experiment-types.ts';
import type { ServedFolder } from '../geometry/text-embedder.ts';
import type { FirstTarget, LayoutName } from '../shared/layouts.ts';
import type { SolutionPart } from '../geometry/distances.ts';
import type { SolutionMeta } from '../prototokens/solution-file.ts';

export type * from '../geometry/experiment-types.ts';
export type { SolutionLabel, PairKind } from '../geometry/grouping.ts';
export type { SolutionPart } from '../geometry/distances.ts';
export type { EmbedderPreference, ServedFolder } from '../geometry/text-embedder.ts';

export type GeometryToWorker =
  | {
      type: 'geometryStart';
      settings: GeometrySettings;
      /** The compressions' layout and optimiser (the lab's settings). */
      proto: { layout: LayoutName; firstTarget: FirstTarget; lr: number };
      /** The served model folders (for a local all-MiniLM-L6-v2). */
      served: ServedFolder[];
    }
  | { type: 'geometryStop' }
  /** The loaded model's mean-pooled final hidden states of each text (the fallback semantic embedding). */
  | { type: 'hiddenEmbed'; requestId: number; texts: string[] }
  /** Cosine distances between any solutions (library files), e|m, e and m; needs no loaded model. */
  | { type: 'geometryCompare'; requestId: number; items: { id: string; name: string; bytes: ArrayBuffer }[] }
  /** The last experiment's solutions as .safetensors files, with tags naming their context and text. */
  | { type: 'geometrySolutions'; requestId: number };

export type GeometryFromWorker =
  | { type: 'geometryProgress'; progress: GeometryProgress }
  | { type: 'geometryPartial'; partial: GeometryPartial }
  | { type: 'geometryDone'; stoppedBy: 'done' | 'stopped'; seconds: number }
  | { type: 'hiddenEmbedded'; requestId: number; label: string; vectors: number[][] }
  | { type: 'geometryCompared'; requestId: number; ids: string[]; distances: Record<SolutionPart, number[][]> }
  /** Each file with its metadata as read back from its bytes, so the page keeps it in the library without a decode check per file. */
  | { type: 'geometrySolutionFiles'; requestId: number; files: { name: string; bytes: ArrayBuffer; tags: string[]; meta: SolutionMeta }[] };
