/**
 * Per-token display strings. Vocabulary entries are stored in a tokenizer-specific encoding (GPT-2 byte-level
 * characters like 'Ġ', SentencePiece '▁' for space, '<0x0A>' byte-fallback pieces, WordPiece '##'); this turns
 * one token into the text it stands for, so a UI can show token boundaries. A token that holds only part of a
 * multi-byte character shows its leftover bytes as <0xNN> instead of a replacement character.
 */

type Json = Record<string, unknown>;

export interface DisplayRules {
  byteLevel: boolean;
  byteFallback: boolean;
  /** SentencePiece's word-boundary marker, shown as a space. */
  metaspace: boolean;
  wordPiecePrefix: string | null;
}

function collectDecoderTypes(node: unknown, out: Json[]): void {
  if (typeof node !== 'object' || node === null) return;
  const d = node as Json;
  out.push(d);
  if (Array.isArray(d.decoders)) for (const c of d.decoders) collectDecoderTypes(c, out);
}

export function displayRules(tokenizerJson: Json): DisplayRules {
  const decoders: Json[] = [];
  collectDecoderTypes(tokenizerJson.decoder, decoders);
  const types = new Set(decoders.map((d) => d.type));
  const model = (tokenizerJson.model ?? {}) as Json;
  const replacesMeta = decoders.some(
    (d) => d.type === 'Replace' && typeof d.pattern === 'object' && d.pattern !== null && (d.pattern as Json).String === '\u2581',
  );
  const wp = decoders.find((d) => d.type === 'WordPiece');
  return {
    byteLevel: types.has('ByteLevel'),
    byteFallback: types.has('ByteFallback') || model.byte_fallback === true,
    metaspace: types.has('Metaspace') || replacesMeta,
    wordPiecePrefix: wp ? String(wp.prefix ?? '##') : null,
  };
}

let byteDecoder: Map<string, number> | null = null;

/** Inverse of GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
function byteLevelDecoder(): Map<string, number> {
  if (byteDecoder) return byteDecoder;
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const m = new Map<string, number>();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (printable(b)) m.set(String.fromCharCode(b), b);
    else m.set(String.fromCharCode(256 + n++), b);
  }
  byteDecoder = m;
  return m;
}

/** Length of the valid UTF-8 sequence starting at i, or 0. */
function utf8SeqLen(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let len: number, min: number, cp: number;
  if (c >= 0xc2 && c <= 0xdf) [len, min, cp] = [2, 0x80, c & 0x1f];
  else if (c >= 0xe0 && c <= 0xef) [len, min, cp] = [3, 0x800, c & 0x0f];
  else if (c >= 0xf0 && c <= 0xf4) [len, min, cp] = [4, 0x10000, c & 0x07];
  else return 0;
  if (i + len > b.length) return 0;
  for (let k = 1; k < len; k++) {
    if ((b[i + k] & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b[i + k] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

const hex = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

export function bytesForDisplay(bytes: Uint8Array): string {
  const dec = new TextDecoder();
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SeqLen(bytes, i);
    if (n === 0) {
      out += hex(bytes[i]);
      i += 1;
    } else {
      out += dec.decode(bytes.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** Display text of one vocabulary entry (not an added token: those are already plain text). */
export function displayToken(token: string, rules: DisplayRules): string {
  if (rules.byteLevel) {
    const table = byteLevelDecoder();
    const bytes: number[] = [];
    for (const ch of token) {
      const b = table.get(ch);
      if (b === undefined) return token;
      bytes.push(b);
    }
    return bytesForDisplay(new Uint8Array(bytes));
  }
  if (rules.byteFallback) {
    const m = BYTE_PIECE.exec(token);
    if (m) return bytesForDisplay(new Uint8Array([parseInt(m[1], 16)]));
  }
  if (rules.wordPiecePrefix !== null) {
    return token.startsWith(rules.wordPiecePrefix) ? token.slice(rules.wordPiecePrefix.length) : ` ${token}`;
  }
  return rules.metaspace ? token.replaceAll('\u2581', ' ') : token;
}
