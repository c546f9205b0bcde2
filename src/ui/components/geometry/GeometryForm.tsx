import { memo, useEffect, useState } from 'react';
import { useActions } from '../../context.ts';
import { useLab } from '../../store.ts';
import { checkGeometryLabField, GEOMETRY_SOURCES, type GeometryLabSettings } from '../../geometry-settings.ts';
import { geometryBlocker } from '../../geometry-actions.ts';
import { geometryActive } from '../../geometry-state.ts';

type NumberKey = 'geoContexts' | 'geoContinuations' | 'geoRestarts' | 'geoLength' | 'geoSteps' | 'geoSeed' | 'geoScanPoints';

/** A number field that keeps what is typed and commits it only when valid, saying what is wrong otherwise. */
const NumberField = memo(function NumberField({ name, label, hint }: { name: NumberKey; label: string; hint: string }) {
  const value = useLab((s) => s.settings[name]);
  const actions = useActions();
  const [raw, setRaw] = useState(String(value));
  const parse = (r: string) => (r.trim() === '' ? NaN : Number(r));
  useEffect(() => setRaw((r) => (parse(r) === value ? r : String(value))), [value]);
  const problem = checkGeometryLabField(name, parse(raw));
  return (
    <label title={problem ?? hint}>
      {label}
      <input
        type="number"
        data-testid={`geo-${name}`}
        value={raw}
        min={0}
        aria-invalid={problem !== null}
        onChange={(e) => {
          setRaw(e.target.value);
          const v = parse(e.target.value);
          if (checkGeometryLabField(name, v) === null) actions.setSettings({ [name]: v } as Partial<GeometryLabSettings>);
        }}
      />
      {problem && <small className="bad">{problem}</small>}
    </label>
  );
});

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
        <NumberField name="geoContexts" label="K contexts" hint="contexts drawn from the source" />
        <NumberField name="geoContinuations" label="J continuations" hint="texts the model samples after each context" />
        <NumberField name="geoRestarts" label="R seeds" hint="seeds for the last continuation of each context" />
        <NumberField name="geoLength" label="length (tokens)" hint="tokens of each context and each continuation" />
        <NumberField name="geoSteps" label="steps" hint="optimisation steps per solution (stops early when all are exact)" />
        <NumberField name="geoSeed" label="seed" hint="seed of contexts, sampling and initial proto-tokens" />
        <NumberField name="geoScanPoints" label="points along τ" hint="tau values of each linear interpolation (Fig. 7)" />
        <label>
          context source
          <select data-testid="geo-source" value={s.geoSource} onChange={(e) => actions.setSettings({ geoSource: e.target.value })}>
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
