import { memo, useState } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';

/** Two selects over the library's solutions and a button that makes them the pair (refusals show why). */
export const PairPicker = memo(function PairPicker() {
  const records = useLab((s) => s.library.records);
  const status = useLab((s) => s.library.status);
  const savedA = useLab((s) => s.settings.interpA);
  const savedB = useLab((s) => s.settings.interpB);
  const pair = useLab((s) => s.interp.pair);
  const modelReady = useLab((s) => s.model.state === 'ready');
  const actions = useActions();
  const [a, setA] = useState(savedA);
  const [b, setB] = useState(savedB);
  // The model id of a served model is its URL: its last part names it.
  const modelName = (m: string) => m.replace(/\/+$/, '').split('/').pop() || m;
  const label = (r: (typeof records)[number]) => `${r.name} · seed ${r.seed} · ${Math.round(100 * r.accuracy)} % · ${r.N} tokens · ${modelName(r.model)}`;
  const options = (
    <>
      <option value="">— pick a solution —</option>
      {records.map((r) => (
        <option key={r.id} value={r.id}>
          {label(r)}
        </option>
      ))}
    </>
  );
  return (
    <div className="interp-picker" data-testid="interp-picker">
      {status === 'ready' && records.length < 2 && <p className="notice">The library holds {records.length} solution{records.length === 1 ? '' : 's'}: compress a text with two seeds (or import two solution files) to have a pair to join.</p>}
      <label>
        solution A (τ = 0)
        <select data-testid="interp-a" value={a} onChange={(e) => setA(e.target.value)}>
          {options}
        </select>
      </label>
      <label>
        solution B (τ = 1)
        <select data-testid="interp-b" value={b} onChange={(e) => setB(e.target.value)}>
          {options}
        </select>
      </label>
      <button type="button" data-testid="interp-use-pair" disabled={!a || !b || !modelReady || pair.state === 'loading'} onClick={() => actions.interpPick(a, b)}>
        Use this pair
      </button>
      {pair.state === 'error' && (
        <p className="notice error" role="alert" data-testid="interp-pair-error">
          {pair.message}
        </p>
      )}
      {pair.state === 'ready' && (
        <p data-testid="interp-pair-ready">
          Text ({pair.N} tokens): <q>{pair.text}</q> · distance |A − B| = {pair.distance.toFixed(2)}
        </p>
      )}
    </div>
  );
});
