import { memo } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { showPiece } from '../../format.ts';
import type { DecodedAtTau } from '../../interp-state.ts';

/** How a decoded token relates to the two endpoints' own one-pass decodings at that position. */
export function agreement(tok: number, a: number | undefined, b: number | undefined): 'both' | 'a' | 'b' | 'neither' {
  if (tok === a && tok === b) return 'both';
  if (tok === a) return 'a';
  if (tok === b) return 'b';
  return 'neither';
}

const Row = memo(function Row({ label, d, endA, endB, kind }: { label: string; d: DecodedAtTau | undefined; endA: number[]; endB: number[]; kind: string }) {
  return (
    <div className="tau-row" data-testid={`tau-decoded-${kind}`} data-tau={d?.tau}>
      <span className="tau-row-label">
        {label}
        {d && ` (τ = ${d.tau.toFixed(2)}: ${d.correct} / ${d.ids.length} tokens right, loss ${d.loss.toFixed(2)})`}
      </span>
      {d ? (
        <ol className="chips">
          {d.ids.map((id, i) => {
            const ag = agreement(id, endA[i], endB[i]);
            return (
              <li key={i} className={`chip agree-${ag}`} data-agree={ag} title={`position ${i + 1}: token ${id}; agrees with ${ag === 'neither' ? 'neither end' : ag === 'both' ? 'both ends' : `end ${ag.toUpperCase()}`}`}>
                {showPiece(d.pieces[i] ?? '')}
              </li>
            );
          })}
        </ol>
      ) : (
        <span className="muted">decoding…</span>
      )}
    </div>
  );
});

/** The tau slider and the one-pass decoding at that point of each path, tokens coloured by agreement with each end. */
export const TauDecoder = memo(function TauDecoder() {
  const pair = useLab((s) => s.interp.pair);
  const decoded = useLab((s) => s.interp.decoded);
  const hasCurve = useLab((s) => s.interp.curve !== null);
  const tau = useLab((s) => s.settings.interpTau);
  const actions = useActions();
  if (pair.state !== 'ready') return null;
  return (
    <div className="tau-decoder" data-testid="tau-decoder">
      <label>
        τ = <output data-testid="tau-value">{tau.toFixed(2)}</output>
        <input type="range" data-testid="tau-slider" min={0} max={1} step={0.01} value={tau} onChange={(e) => actions.interpDecode(Number(e.target.value))} />
      </label>
      <Row label="straight segment" kind="linear" d={decoded.linear} endA={pair.decodedA} endB={pair.decodedB} />
      {hasCurve && <Row label="Bezier curve" kind="bezier" d={decoded.bezier} endA={pair.decodedA} endB={pair.decodedB} />}
      <p className="tau-legend">
        <span className="chip agree-both">both ends</span> <span className="chip agree-a">only A</span> <span className="chip agree-b">only B</span> <span className="chip agree-neither">neither</span> — compared with each end's own one-pass decoding
      </p>
    </div>
  );
});
