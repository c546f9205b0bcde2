import { useState } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { type ExperimentSettings } from '../../experiments-settings.ts';
import { experimentBlocker } from '../../experiments-actions.ts';
import { experimentActive } from '../../experiments-state.ts';
import { EXPERIMENT_FIELDS, EXPERIMENT_SOURCES } from '../../../shared/experiment-spec.ts';
import { LAYOUTS } from '../../../shared/layouts.ts';
import { SettingField } from '../SettingField.tsx';

const KIND_TEXT: Record<ExperimentSettings['expKind'], string> = {
  capacity: 'Capacity sweep (Table 3, Figs. 1 and 3): each text climbs the length ladder until its best seed falls below 99 %.',
  layouts: 'Layout ablation (Table 1): every arrangement of e and m at fixed lengths.',
  sharing: 'Sharing (Table 2): m or e shared by groups of texts, trained jointly, at fixed lengths.',
};

/** The user's texts for the "files" source: picked .txt files or a pasted text. */
function FilesSource() {
  const files = useLab((s) => s.experiments.files);
  const actions = useActions();
  const [pasted, setPasted] = useState('');
  return (
    <div className="exp-files" data-testid="exp-files">
      <label>
        pick .txt files
        <input type="file" accept=".txt,text/plain" multiple data-testid="exp-file-input" onChange={(e) => e.target.files && actions.pickExperimentFiles([...e.target.files])} />
      </label>
      <label>
        or paste a text
        <textarea rows={2} value={pasted} onChange={(e) => setPasted(e.target.value)} data-testid="exp-paste" />
      </label>
      <button
        type="button"
        disabled={pasted.trim() === ''}
        onClick={() => {
          actions.setExperimentFiles([...files, { name: `pasted-${files.length + 1}.txt`, text: pasted }]);
          setPasted('');
        }}
      >
        Add pasted text
      </button>
      <p className="muted">
        {files.length === 0 ? 'No texts yet. (Texts are not kept in the URL: after a reload pick them again.)' : `${files.length} text${files.length === 1 ? '' : 's'}: ${files.map((f) => f.name).join(', ')}`}{' '}
        {files.length > 0 && (
          <button type="button" className="small" onClick={() => actions.setExperimentFiles([])}>
            Remove all
          </button>
        )}
      </p>
    </div>
  );
}

export function ExperimentForm() {
  const s = useLab((st) => st.settings);
  const phase = useLab((st) => st.experiments.phase);
  const blocker = useLab(experimentBlocker);
  const actions = useActions();
  const active = experimentActive(phase);
  const set = (patch: Partial<ExperimentSettings>) => actions.setSettings(patch);
  return (
    <>
      <fieldset className="settings exp-settings" disabled={active} data-testid="exp-form">
        <legend>Experiment</legend>
        <label>
          experiment
          <select data-testid="exp-expKind" value={s.expKind} onChange={(e) => set({ expKind: e.target.value as ExperimentSettings['expKind'] })}>
            <option value="capacity">capacity sweep</option>
            <option value="layouts">layout ablation</option>
            <option value="sharing">sharing</option>
          </select>
        </label>
        <label>
          method
          <select data-testid="exp-expMethod" value={s.expMethod} onChange={(e) => set({ expMethod: e.target.value as 'oneshot' | 'memory' })}>
            <option value="oneshot">one-shot (proto-tokens)</option>
            <option value="memory">memory tokens (autoregressive baseline)</option>
          </select>
        </label>
        {s.expMethod === 'memory' && <SettingField name="expMemoryTokens" label="memory vectors K" testId="exp-expMemoryTokens" />}
        <label>
          text source
          <select data-testid="exp-expSource" value={s.expSource} onChange={(e) => set({ expSource: e.target.value as ExperimentSettings['expSource'] })}>
            {EXPERIMENT_SOURCES.map((n) => (
              <option key={n} value={n}>
                {n === 'files' ? 'my texts (pasted or .txt files)' : n}
              </option>
            ))}
          </select>
        </label>
        <SettingField name="expTexts" label="texts" testId="exp-expTexts" />
        <SettingField name="expSeeds" label="seeds per text" testId="exp-expSeeds" />
        <SettingField name="expTextSeed" label="text seed" testId="exp-expTextSeed" />
        <SettingField name="expSteps" label="max steps per attempt" testId="exp-expSteps" />
        <SettingField name="expLengths" label={s.expKind === 'capacity' ? 'ladder (empty: the paper’s)' : 'lengths (tokens)'} type="text" hint={s.expKind === 'capacity' ? '4,5,8,11,16,…' : '1,2,4'} testId="exp-expLengths" />
        {s.expKind === 'capacity' && <SettingField name="expMaxLength" label="up to (tokens, 0: all)" testId="exp-expMaxLength" />}
        {s.expMethod === 'oneshot' && s.expKind !== 'sharing' && (
          <label title={EXPERIMENT_FIELDS.progressive.help}>
            progressive
            <input type="checkbox" data-testid="exp-expProgressive" checked={s.expProgressive} onChange={(e) => set({ expProgressive: e.target.checked })} />
          </label>
        )}
        {s.expKind === 'sharing' && (
          <>
            <label>
              shared vector
              <select data-testid="exp-expShare" value={s.expShare} onChange={(e) => set({ expShare: e.target.value as 'm' | 'e' })}>
                <option value="m">m</option>
                <option value="e">e</option>
              </select>
            </label>
            <SettingField name="expGroups" label="group sizes" type="text" hint="1,4,16" testId="exp-expGroups" />
          </>
        )}
        <p className="muted exp-kind-text">
          {KIND_TEXT[s.expKind]} {s.expKind !== 'layouts' && s.expMethod === 'oneshot' ? `Layout ${LAYOUTS[s.layout].label}, learning rate ${s.lr} (from the Compress view).` : `Learning rate ${s.lr}.`} Results are kept in this browser; starting the same experiment again continues where it stopped.
        </p>
      </fieldset>
      {s.expSource === 'files' && !active && <FilesSource />}
      <div className="controls" role="toolbar" aria-label="Experiment controls" data-testid="exp-controls" data-phase={phase}>
        <button type="button" className="primary" data-testid="exp-start" disabled={blocker !== null} title={blocker ?? 'Start (Space)'} onClick={actions.startExperiment}>
          Run experiment
        </button>
        <button type="button" data-testid="exp-pause" disabled={phase !== 'running' && phase !== 'starting'} onClick={() => actions.experimentCommand('pause')} title="Pause (Space)">
          Pause
        </button>
        <button type="button" data-testid="exp-resume" disabled={phase !== 'paused'} onClick={() => actions.experimentCommand('resume')} title="Resume (Space)">
          Resume
        </button>
        <button type="button" data-testid="exp-step" disabled={phase !== 'paused'} onClick={() => actions.experimentCommand('step')} title="One batch of steps, then pause (S)">
          Step
        </button>
        <button type="button" data-testid="exp-cancel" disabled={!active || phase === 'stopping'} onClick={() => actions.experimentCommand('cancel')}>
          Cancel
        </button>
        <span className="muted run-phase" data-testid="exp-phase">
          {phase === 'idle' ? (blocker ?? 'Ready.') : phase}
        </span>
      </div>
    </>
  );
}
