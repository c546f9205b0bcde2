import { useActions } from '../context.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { TokenChips } from './TokenChips.tsx';

/** The text to compress, its tokens as chips with a count, and an over-long warning before any work. */
export function TextPanel() {
  const text = useLab((s) => s.settings.text);
  const tokens = useLab((s) => s.tokens.current);
  const tokenError = useLab((s) => s.tokens.error);
  const modelReady = useLab((s) => s.model.state === 'ready');
  const busy = useLab((s) => runActive(s.run.phase));
  const actions = useActions();
  const fresh = tokens !== null && tokens.text === text;
  return (
    <section className="panel" aria-labelledby="text-heading">
      <h2 id="text-heading">Text</h2>
      <textarea
        data-testid="text-input"
        aria-label="Text to compress"
        rows={4}
        value={text}
        disabled={busy}
        placeholder="Paste a text to compress into two proto-token vectors"
        onChange={(e) => actions.setSettings({ text: e.target.value })}
      />
      <p className="row">
        <span data-testid="token-count" data-count={fresh && !tokens.partial ? tokens.ids.length : undefined} data-partial={fresh && tokens.partial ? 'true' : undefined}>
          {!modelReady
            ? 'Load a model to see tokens.'
            : !fresh
              ? text
                ? 'Tokenizing…'
                : '0 tokens'
              : tokens.partial
                ? `more than ${tokens.maxTokens} tokens (${text.length.toLocaleString('en')} characters)`
                : `${tokens.ids.length} token${tokens.ids.length === 1 ? '' : 's'}`}
        </span>
        {fresh && tokens.tooLong && (
          <span className="bad" data-testid="too-long" role="alert">
            Too long: this model and layout take at most {tokens.maxTokens} tokens.
          </span>
        )}
        {tokenError && <span className="bad">{tokenError}</span>}
      </p>
      {fresh && tokens.ids.length > 0 && <TokenChips ids={tokens.ids} pieces={tokens.pieces} testId="token-chips" label="Tokens of the text" />}
    </section>
  );
}
