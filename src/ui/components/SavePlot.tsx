import { useState, type RefObject } from 'react';
import '../feel.css';
import { errorText } from '../probes.ts';
import { plotFileName, savePng, saveSvg } from '../save-plot.ts';

/**
 * "SVG" and "PNG" buttons that save the plot in `target` (an <svg>, or an element holding one).
 * Every plot of the lab carries these (issue 5 §5).
 */
export function SavePlot({ target, title, testId }: { target: RefObject<Element | null>; title: string; testId?: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const svg = (): SVGSVGElement | null => {
    const el = target.current;
    if (!el) return null;
    return el instanceof SVGSVGElement ? el : el.querySelector('svg');
  };
  const name = plotFileName(title);
  return (
    <span className="plot-save" data-testid={testId}>
      <button
        type="button"
        className="small"
        title={`Save "${title}" as an SVG file`}
        onClick={() => {
          const el = svg();
          if (el) saveSvg(el, name);
        }}
      >
        SVG
      </button>
      <button
        type="button"
        className="small"
        title={`Save "${title}" as a PNG image (2x)`}
        onClick={() => {
          const el = svg();
          if (el) savePng(el, name).then(() => setProblem(null), (e: unknown) => setProblem(errorText(e)));
        }}
      >
        PNG
      </button>
      {problem && <span className="bad">{problem}</span>}
    </span>
  );
}
