/**
 * A folder of PG-19 excerpts for experiments that need more texts than PG-19 has books here (the
 * sharing table's groups of 256; pg19-all has 94 books). The pg19-all source (Kuratov's recipe: a
 * random run of whole sentences from the middle of a book, second half kept) is drawn with text
 * seeds 0, 1, 2, ..., so each book gives one excerpt per seed, from different places of the book.
 * Each excerpt is written as `<seed>-<k>-<book>.txt` (k: the book's place in that seed's order, so
 * that the folder's sorted order takes distinct books first), cut to --tokens tokens; a sweep over
 * the folder uses each file from its start. Excerpts whose first --check tokens do not come back
 * when the written text is tokenized again, or repeat an earlier excerpt's, are left out.
 *
 *   npx tsx scripts/pg19-excerpts.ts --model DIR --count 256 --tokens 64 --check 8 --out DIR
 */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFolderSource } from '../src/model/sources/node-folder.ts';
import { loadTokenizer } from '../src/model/tokenizer.ts';
import { sourceByName } from '../src/datasets/node/sources.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'assets/models/stories260k' },
    count: { type: 'string', default: '256' },
    tokens: { type: 'string', default: '64' },
    check: { type: 'string', default: '8' },
    out: { type: 'string' },
  },
  strict: true,
});
if (!values.out) throw new Error('--out DIR is required');
const count = Number(values.count);
const length = Number(values.tokens);
const check = Number(values.check);
const tokenizer = await loadTokenizer(nodeFolderSource(values.model));
const source = sourceByName('pg19-all');
mkdirSync(values.out, { recursive: true });
const seen = new Set<string>();
let written = 0;
let dropped = 0;
for (let seed = 0; written < count; seed++) {
  if (seed > 20) throw new Error(`only ${written} excerpts after 20 seeds`);
  const texts = await source.texts({ tokenizer, length, seed });
  for (const [k, t] of texts.entries()) {
    if (written >= count) break;
    const head = t.tokens.slice(0, check).join(',');
    const again = tokenizer.encode(t.text).slice(0, check).join(',');
    if (head !== again || seen.has(head)) {
      dropped++;
      continue;
    }
    seen.add(head);
    const book = t.id.replace(/^pg19-all\/|^pg19\//u, '').replace(/[^A-Za-z0-9_.-]+/gu, '_');
    writeFileSync(join(values.out, `${seed}-${String(k).padStart(2, '0')}-${book}.txt`), `${t.text}\n`);
    written++;
  }
}
console.log(`${written} excerpts of ${length} tokens written to ${values.out} (${dropped} left out)`);
