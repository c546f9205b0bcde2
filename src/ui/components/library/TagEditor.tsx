import { useEffect, useState } from 'react';

/** Tags as one comma-separated field; saved on Enter or when the field loses focus. */
export function TagEditor({ tags, onSave, label }: { tags: string[]; onSave: (tags: string) => void; label: string }) {
  const joined = tags.join(', ');
  const [text, setText] = useState(joined);
  useEffect(() => setText(joined), [joined]);
  const save = () => {
    if (text !== joined) onSave(text);
  };
  return (
    <input
      className="tag-editor"
      aria-label={label}
      data-testid="library-tags"
      placeholder="tags, comma-separated"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={save}
      onKeyDown={(e) => {
        if (e.key === 'Enter') save();
        if (e.key === 'Escape') setText(joined);
      }}
    />
  );
}
