import { useActions } from '../context.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { LAYOUT_NAMES, LAYOUTS, type FirstTarget, type LayoutName } from '../../shared/layouts.ts';
import { SettingField } from './SettingField.tsx';

export function SettingsPanel() {
  const layout = useLab((s) => s.settings.layout);
  const firstTarget = useLab((s) => s.settings.firstTarget);
  const method = useLab((s) => s.settings.method);
  const disabled = useLab((s) => runActive(s.run.phase));
  const actions = useActions();
  return (
    <fieldset className="settings" disabled={disabled}>
      <legend>Settings</legend>
      <SettingField name="maxSteps" label="max steps" step="100" testId="setting-maxSteps" />
      <SettingField name="lr" label="learning rate" step="0.001" testId="setting-lr" />
      <SettingField name="seed" label="seed" step="1" testId="setting-seed" />
      <SettingField name="reportEvery" label="report every (steps)" step="1" testId="setting-reportEvery" />
      <label title="proto-tokens e and m decoded in one forward pass (the paper), or K memory vectors before the text, decoded autoregressively (Kuratov et al.)">
        method
        <select data-testid="setting-method" value={method} onChange={(e) => actions.setSettings({ method: e.target.value as 'oneshot' | 'memory' })}>
          <option value="oneshot">proto-tokens (one pass)</option>
          <option value="memory">memory tokens (autoregressive)</option>
        </select>
      </label>
      {method === 'memory' ? <SettingField name="memoryTokens" label="memory vectors K" step="1" min={1} testId="setting-memoryTokens" /> : <LayoutFields layout={layout} firstTarget={firstTarget} />}
    </fieldset>
  );
}

/** Where e and m sit in the input: proto-token runs only (memory tokens have no layout). */
function LayoutFields({ layout, firstTarget }: { layout: LayoutName; firstTarget: FirstTarget }) {
  const actions = useActions();
  return (
    <>
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
    </>
  );
}
