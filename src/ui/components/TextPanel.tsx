import { useActions } from '../context.ts';
import { useLab } from '../store.ts';
import { runActive } from '../state.ts';
import { TokenChips } from './TokenChips.tsx';

/**
 * A pasted book is kept whole in the settings (the worker judges it too long) but shown only in
 * part: laying out megabytes in a textarea blocks the page for seconds. Such a text is read-only
 * here, with a Clear button; a big paste skips the browser's own insertion for the same reason.
 */
const SHOWN_CHARS = 10_000;

/** The text to compress, its tokens as chips with a count, and an over-long warning before any work. */
export function TextPanel() {
  const text = useLab((s) => s.settings.text);
  const tokens = useLab((s) => s.tokens.current);
  const tokenError = useLab((s) => s.tokens.error);
  const modelReady = useLab((s) => s.model.state === 'ready');
  const busy = useLab((s) => runActive(s.run.phase));
  const actions = useActions();
  const fresh = tokens !== null && tokens.text === text;
  const huge = text.length > SHOWN_CHARS;
  return (
    <section className="panel" aria-labelledby="text-heading">
      <h2 id="text-heading">Text</h2>
      <textarea
        data-testid="text-input"
        aria-label="Text to compress"
        rows={4}
        value={huge ? text.slice(0, SHOWN_CHARS) : text}
        readOnly={huge}
        disabled={busy}
        placeholder="Paste a text to compress into two proto-token vectors"
        onChange={(e) => actions.setSettings({ text: e.target.value })}
        onPaste={(e) => {
          const pasted = e.clipboardData.getData('text/plain');
          if (huge || pasted.length <= SHOWN_CHARS) return;
          e.preventDefault();
          const el = e.currentTarget;
          actions.setSettings({ text: el.value.slice(0, el.selectionStart) + pasted + el.value.slice(el.selectionEnd) });
        }}
      />
      {huge && (
        <p className="row" data-testid="text-huge">
          <span className="muted">
            Showing the first {SHOWN_CHARS.toLocaleString('en')} of {text.length.toLocaleString('en')} characters; a text this long cannot be edited here.
          </span>{' '}
          <button type="button" data-testid="text-clear" disabled={busy} onClick={() => actions.setSettings({ text: '' })}>
            Clear
          </button>
        </p>
      )}
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
      {/* Chips past what the model takes would never be compressed: a pasted book shows the first maxTokens and a count of the rest. */}
      {fresh && tokens.ids.length > 0 && <TokenChips ids={tokens.ids} pieces={tokens.pieces} testId="token-chips" label="Tokens of the text" limit={Math.min(1024, tokens.maxTokens)} />}
    </section>
  );
}
