import { memo } from 'react';
import { showPiece } from '../format.ts';

export interface ChipsProps {
  ids: number[];
  pieces: string[];
  /** Per position: true when reconstructed, false when not; absent for plain chips. */
  ok?: boolean[];
  /** Per position, a title (e.g. what was predicted instead). */
  titles?: string[];
  testId: string;
  label: string;
  /** Chips drawn at most (a pasted book would otherwise stall the page). */
  limit?: number;
}

/** Tokens as chips; with `ok`, reconstructed positions turn green. */
export const TokenChips = memo(function TokenChips({ ids, pieces, ok, titles, testId, label, limit = 1024 }: ChipsProps) {
  return (
    <ol className="chips" data-testid={testId} aria-label={label}>
      {ids.slice(0, limit).map((id, i) => (
        <li
          key={i}
          className={ok === undefined ? 'chip' : ok[i] ? 'chip ok' : 'chip miss'}
          data-ok={ok === undefined ? undefined : String(ok[i])}
          title={titles?.[i] ?? `position ${i + 1}: token ${id}`}
        >
          {showPiece(pieces[i] ?? '')}
        </li>
      ))}
      {ids.length > limit && <li className="chip more">… {ids.length - limit} more</li>}
    </ol>
  );
});
