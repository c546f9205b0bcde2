/**
 * Text files picked or dropped by the user, read strictly as UTF-8: the one reader behind the
 * experiments view's picked files (readTextFiles) and the uploaded-files text source
 * (browser.ts's documentsFromFiles). Engine-free (only utf8.ts), so the page's main thread can
 * import it without pulling in the model code that the text sources use.
 */
import { decodeUtf8Strict, NotUtf8Error } from './utf8.ts';

/** The parts of a File (or Blob with a name) this needs. */
export interface NamedBlob {
  name: string;
  /** Set for files picked with a folder input: 'folder/sub/file.txt'. */
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What a picked file is called: its relative path for a picked folder, else its name. */
export function fileId(f: NamedBlob): string {
  return f.webkitRelativePath || f.name;
}

/**
 * A file's text, decoded strictly as UTF-8. `File.text()` would turn bad bytes into U+FFFD
 * silently and the lab would then compress a text the user never wrote; instead this throws
 * NotUtf8Error naming the file (fileId) and the offset of its first bad byte.
 */
export async function readFileStrict(f: NamedBlob): Promise<string> {
  return decodeUtf8Strict(new Uint8Array(await f.arrayBuffer()), fileId(f));
}

export interface PickedText {
  name: string;
  text: string;
}

export interface PickedTexts {
  texts: PickedText[];
  /** One line per file left out, naming it and why (not UTF-8, unreadable). */
  refused: string[];
}

/** Reads picked files in the order given; a file that is not UTF-8 or cannot be read is left out with the reason, the others are kept. */
export async function readTextFiles(files: Iterable<NamedBlob>): Promise<PickedTexts> {
  const texts: PickedText[] = [];
  const refused: string[] = [];
  for (const f of files) {
    const name = fileId(f);
    try {
      texts.push({ name, text: await readFileStrict(f) });
    } catch (e) {
      // NotUtf8Error names the file already; anything else (the browser's "could not be read") does not.
      refused.push(e instanceof NotUtf8Error ? e.message : `${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { texts, refused };
}
