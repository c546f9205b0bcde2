import { memo } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { GEOMETRY_SOURCES, type GeometryLabSettings } from '../../geometry-settings.ts';
import { geometryBlocker } from '../../geometry-actions.ts';
import { geometryActive } from '../../geometry-state.ts';
import { SettingField } from '../SettingField.tsx';

/** The experiment's settings and its Run / Stop buttons. */
export const GeometryForm = memo(function GeometryForm() {
  const s = useLab((st) => st.settings);
  const phase = useLab((st) => st.geometry.phase);
  const blocker = useLab(geometryBlocker);
  const actions = useActions();
  const active = geometryActive(phase);
  const solutions = s.geoContexts * (s.geoContinuations - 1 + s.geoRestarts);
  return (
    <section className="panel" data-testid="geo-form">
      <h2>Geometry experiment (Figs. 5–7)</h2>
      <p className="muted">
        K contexts from the text source; the model samples J continuations of each (temperature 1); each continuation is compressed once, the last one of each context
        with R seeds; then distances between solutions and between texts, and linear interpolations between seeds of one text. Layout, first target and learning rate
        are the compress view's ({s.layout}, lr {s.lr}).
      </p>
      <fieldset className="plain geo-fields" disabled={active}>
        <SettingField name="geoContexts" label="K contexts" hint="contexts drawn from the source" testId="geo-geoContexts" />
        <SettingField name="geoContinuations" label="J continuations" hint="texts the model samples after each context" testId="geo-geoContinuations" />
        <SettingField name="geoRestarts" label="R seeds" hint="seeds for the last continuation of each context" testId="geo-geoRestarts" />
        <SettingField name="geoLength" label="length (tokens)" hint="tokens of each context and each continuation" testId="geo-geoLength" />
        <SettingField name="geoSteps" label="steps" hint="optimisation steps per solution (stops early when all are exact)" testId="geo-geoSteps" />
        <SettingField name="geoSeed" label="seed" hint="seed of contexts, sampling and initial proto-tokens" testId="geo-geoSeed" />
        <SettingField name="geoScanPoints" label="points along τ" hint="tau values of each linear interpolation (Fig. 7)" testId="geo-geoScanPoints" />
        <label>
          context source
          <select data-testid="geo-source" value={s.geoSource} onChange={(e) => actions.setSettings({ geoSource: e.target.value as GeometryLabSettings['geoSource'] })}>
            {GEOMETRY_SOURCES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label title="Semantic text distance: all-MiniLM-L6-v2 when the lab serves it or the Hub answers, else the model's own mean-pooled hidden states">
          semantic embedding
          <select data-testid="geo-embedder" value={s.geoEmbedder} onChange={(e) => actions.setSettings({ geoEmbedder: e.target.value as GeometryLabSettings['geoEmbedder'] })}>
            <option value="auto">auto: MiniLM if available</option>
            <option value="minilm">all-MiniLM-L6-v2</option>
            <option value="model">the model's hidden states</option>
          </select>
        </label>
      </fieldset>
      <div className="buttons">
        <button type="button" data-testid="geo-run" disabled={blocker !== null} onClick={() => actions.geometryStart()}>
          Run experiment ({solutions} solutions)
        </button>
        <button type="button" data-testid="geo-stop" disabled={!active || phase === 'stopping'} onClick={() => actions.geometryStop()}>
          Stop
        </button>
        {blocker && !active && <span className="muted" data-testid="geo-blocker">{blocker}</span>}
      </div>
    </section>
  );
});
