/**
 * Text sources in the browser: from texts already fetched or picked by the user (the dev server
 * serves model folders only, so shared data arrives here as strings or Files the page obtained).
 * Nothing here touches node: modules.
 */
import { NotUtf8Error } from './utf8.ts';
import { fileId, readFileStrict, type NamedBlob } from './files.ts';
import {
  SourceError,
  documentFromString,
  parseWordList,
  plainTextsSource,
  randomWordsSource,
  sentenceRunSource,
  type PlainSourceOptions,
  type SentenceSourceOptions,
  type SourceDocument,
  type TextSource,
} from './sources.ts';

export type { NamedBlob } from './files.ts';

/** Picked or dropped files as documents: id = the file name (the relative path for a picked folder), strict UTF-8. */
export function documentsFromFiles(files: Iterable<NamedBlob>, opts: { txtOnly?: boolean } = {}): SourceDocument[] {
  const list = [...files].filter((f) => !opts.txtOnly || f.name.endsWith('.txt'));
  return list
    .map((f) => ({ f, id: fileId(f) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ f, id }) => ({
      id,
      async load() {
        try {
          return await readFileStrict(f);
        } catch (e) {
          if (e instanceof NotUtf8Error) throw new SourceError(e.message);
          throw e;
        }
      },
    }));
}

/** Pasted text as a one-text source. */
export function pastedTextSource(text: string, id = 'pasted', opts: PlainSourceOptions = {}): TextSource {
  return plainTextsSource(id, [documentFromString(id, text)], opts);
}

/** Uploaded files (or a picked folder of .txt files) as a source: each file one text, used from its start. */
export function uploadedSource(files: Iterable<NamedBlob>, name = 'uploaded', opts: PlainSourceOptions = {}): TextSource {
  const docs = documentsFromFiles(files, { txtOnly: false });
  if (docs.length === 0) throw new SourceError(`${name}: no files were given.`);
  return plainTextsSource(name, docs, opts);
}

/** PG-19 books or recent posts already fetched: [{ id: 'pg19/10146', text, title? }]. */
export function fetchedSentenceSource(name: 'pg19' | 'recent' | string, texts: readonly { id: string; text: string; title?: string }[], opts: SentenceSourceOptions = {}): TextSource {
  return sentenceRunSource(name, texts.map((t) => documentFromString(t.id, t.text, t.title)), opts);
}

/** Random texts from a fetched word list (glove_top100k.txt's contents). */
export function fetchedRandomSource(wordListText: string): TextSource {
  return randomWordsSource(parseWordList(wordListText));
}
