import { useActions } from '../context.ts';
import { useLab } from '../store.ts';
import { VIEW_NAMES } from '../url-state.ts';
import { VIEWS } from '../views.tsx';

/** The tab bar; the active view is a setting, so the URL restores it. */
export function ViewTabs() {
  const view = useLab((s) => s.settings.view);
  const actions = useActions();
  return (
    <nav className="view-tabs" role="tablist" aria-label="Views">
      {VIEW_NAMES.map((name) => (
        <button
          key={name}
          role="tab"
          type="button"
          aria-selected={name === view}
          className={name === view ? 'active' : undefined}
          onClick={() => actions.setSettings({ view: name })}
        >
          {VIEWS[name].title}
        </button>
      ))}
    </nav>
  );
}
