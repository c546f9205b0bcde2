import type { ByteSource } from '../safetensors.ts';
import { ModelSourceError } from './source.ts';

/**
 * Random access to a Blob (a picked File, a Cache Storage response body). Blob slices are lazy, so only the
 * requested range is read and a disk-backed blob never has to fit in memory.
 */
export function blobSource(blob: Blob, describe: string): ByteSource {
  return {
    size: blob.size,
    describe,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > blob.size) {
        throw new ModelSourceError(`${describe}: read of ${length} bytes at ${offset} is outside its ${blob.size} bytes`);
      }
      const buf = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (buf.length !== length) throw new ModelSourceError(`${describe}: short read (${buf.length} of ${length} bytes); was the file changed?`);
      return buf;
    },
  };
}
