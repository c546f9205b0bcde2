import { decodeUtf8Strict } from '../datasets/utf8.ts';

export interface PickedText {
  name: string;
  text: string;
}

export interface PickedTexts {
  texts: PickedText[];
  /** One line per file left out, naming it and why (not UTF-8, unreadable). */
  refused: string[];
}

/**
 * Reads picked text files strictly as UTF-8. `File.text()` would turn bad bytes into U+FFFD
 * silently and the lab would then compress a text the user never wrote; instead such a file is
 * left out with the offset of its first bad byte, and the others are kept.
 */
export async function readTextFiles(files: readonly File[]): Promise<PickedTexts> {
  const texts: PickedText[] = [];
  const refused: string[] = [];
  for (const f of files) {
    const name = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
    try {
      texts.push({ name, text: decodeUtf8Strict(new Uint8Array(await f.arrayBuffer()), name) });
    } catch (e) {
      refused.push(e instanceof Error ? e.message : `${name}: ${String(e)}`);
    }
  }
  return { texts, refused };
}
