import { memo, useEffect, useState } from 'react';
import { useActions } from '../context.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { checkField, type LabSettings } from '../url-state.ts';
import { LAYOUT_NAMES, LAYOUTS, type FirstTarget, type LayoutName } from '../../shared/layouts.ts';

type NumberKey = 'maxSteps' | 'lr' | 'seed' | 'reportEvery';

/** A number field that keeps what is typed and commits it to the settings only when valid (disabled by its fieldset). */
const NumberField = memo(function NumberField({ name, label, step }: { name: NumberKey; label: string; step: string }) {
  const value = useLab((s) => s.settings[name]);
  const actions = useActions();
  const [raw, setRaw] = useState(String(value));
  useEffect(() => setRaw((r) => (Number(r) === value ? r : String(value))), [value]);
  const parsed = raw.trim() === '' ? NaN : Number(raw);
  const problem = checkField(name, parsed as LabSettings[NumberKey]);
  return (
    <label>
      {label}
      <input
        type="number"
        data-testid={`setting-${name}`}
        value={raw}
        step={step}
        min={0}
        aria-invalid={problem !== null}
        title={problem ?? undefined}
        onChange={(e) => {
          setRaw(e.target.value);
          const v = e.target.value.trim() === '' ? NaN : Number(e.target.value);
          if (checkField(name, v) === null) actions.setSettings({ [name]: v });
        }}
      />
    </label>
  );
});

export function SettingsPanel() {
  const layout = useLab((s) => s.settings.layout);
  const firstTarget = useLab((s) => s.settings.firstTarget);
  const disabled = useLab((s) => runActive(s.run.phase));
  const actions = useActions();
  return (
    <fieldset className="settings" disabled={disabled}>
      <legend>Settings</legend>
      <NumberField name="maxSteps" label="max steps" step="100" />
      <NumberField name="lr" label="learning rate" step="0.001" />
      <NumberField name="seed" label="seed" step="1" />
      <NumberField name="reportEvery" label="report every (steps)" step="1" />
      <label>
        layout
        <select data-testid="setting-layout" value={layout} onChange={(e) => actions.setSettings({ layout: e.target.value as LayoutName })}>
          {LAYOUT_NAMES.map((n) => (
            <option key={n} value={n}>
              {LAYOUTS[n].label}
            </option>
          ))}
        </select>
      </label>
      <label>
        t₁ predicted by
        <select data-testid="setting-firstTarget" value={firstTarget} onChange={(e) => actions.setSettings({ firstTarget: e.target.value as FirstTarget })}>
          <option value="e">e (Eq. 1)</option>
          <option value="first-m">first m (Table 1 caption)</option>
        </select>
      </label>
    </fieldset>
  );
}
