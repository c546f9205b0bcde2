/** Strict UTF-8 decoding of user files, naming the first bad byte in the message. Pure: Node and browser. */

export class NotUtf8Error extends Error {
  override name = 'NotUtf8Error';
  constructor(
    readonly what: string,
    readonly offset: number,
    readonly byte: number,
  ) {
    super(`${what} is not UTF-8 text (invalid byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}); save it as UTF-8 and try again.`);
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80; // allowed range of the second byte: excludes overlongs, surrogates and > U+10FFFF
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= n) return i; // cut short by the end of the file
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/** Decodes UTF-8 (a leading byte-order mark dropped); throws NotUtf8Error naming `what` otherwise. */
export function decodeUtf8Strict(bytes: Uint8Array, what: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) throw new NotUtf8Error(what, bad, bytes[bad]);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
