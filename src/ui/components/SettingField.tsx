import { memo, useEffect, useState } from 'react';
import { useActions } from '../context.ts';
import { useLab } from '../store.ts';
import { checkField, parseField, type LabSettings } from '../url-state.ts';

/**
 * One of the page's settings as an input: it keeps what is typed, commits it to the settings only
 * when the field's table accepts it (url-state.ts: the same parse and check as the URL and the
 * worker), and says what is wrong otherwise. Disabled by its fieldset while a job runs.
 */
export const SettingField = memo(function SettingField({
  name,
  label,
  testId,
  hint,
  step,
  min = 0,
  type = 'number',
}: {
  name: keyof LabSettings;
  label: string;
  testId: string;
  hint?: string;
  step?: string;
  min?: number;
  type?: 'number' | 'text';
}) {
  const value = useLab((s) => s.settings[name]);
  const actions = useActions();
  const [raw, setRaw] = useState(String(value));
  // A new value from elsewhere (the URL, a resumed run) replaces what is typed, unless it reads the same.
  useEffect(() => setRaw((r) => (parseField(name, r) === value ? r : String(value))), [name, value]);
  const problem = checkField(name, parseField(name, raw));
  return (
    <label title={problem ?? hint}>
      {label}
      <input
        type={type}
        inputMode={type === 'text' ? 'numeric' : undefined}
        data-testid={testId}
        value={raw}
        step={step}
        min={type === 'number' ? min : undefined}
        placeholder={type === 'text' ? hint : undefined}
        aria-invalid={problem !== null}
        onChange={(e) => {
          setRaw(e.target.value);
          const v = parseField(name, e.target.value);
          if (checkField(name, v) === null) actions.setSettings({ [name]: v } as Partial<LabSettings>);
        }}
      />
      {problem && <small className="bad">{problem}</small>}
    </label>
  );
});
