/**
 * A model folder on disk (CLI, tests). Node-only: browser code must not import this file.
 * Reads open the file per call so no descriptor outlives a load, and a file replaced between reads is noticed
 * by its size rather than silently mixed.
 */
import { statSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ByteSource } from '../safetensors.ts';
import { checkFileName, ModelFileNotFoundError, ModelSourceError, type ModelSource } from './source.ts';

/** `describe` names the model in messages and its id (default: the folder path), e.g. a Hub id for a cache snapshot. */
export function nodeFolderSource(dir: string, opts: { describe?: string } = {}): ModelSource {
  const root = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new ModelSourceError(`model folder ${root} does not exist; pass a folder holding config.json, model.safetensors and tokenizer.json`);
  }
  if (!isDir) throw new ModelSourceError(`${root} is not a folder; pass the folder that holds config.json, not a file inside it`);

  const pathOf = (file: string): string => join(root, checkFileName(file, root));

  async function sizeOf(file: string): Promise<number> {
    try {
      const st = await stat(pathOf(file));
      if (st.isFile()) return st.size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    throw new ModelFileNotFoundError(file, root);
  }

  return {
    describe: opts.describe ?? root,
    async has(file) {
      try {
        return (await stat(pathOf(file))).isFile();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
    },
    async text(file) {
      await sizeOf(file);
      return readFile(pathOf(file), 'utf8');
    },
    async open(file): Promise<ByteSource> {
      const size = await sizeOf(file);
      const path = pathOf(file);
      return {
        size,
        describe: path,
        async read(offset, length) {
          if (offset < 0 || length < 0 || offset + length > size) {
            throw new ModelSourceError(`${path}: read of ${length} bytes at ${offset} is outside its ${size} bytes`);
          }
          const out = new Uint8Array(length);
          const fh = await open(path, 'r');
          try {
            let done = 0;
            while (done < length) {
              const { bytesRead } = await fh.read(out, done, length - done, offset + done);
              if (bytesRead === 0) throw new ModelSourceError(`${path} shrank while being read (got ${done} of ${length} bytes at ${offset})`);
              done += bytesRead;
            }
          } finally {
            await fh.close();
          }
          return out;
        },
      };
    },
  };
}
