/**
 * Files the user picked with a folder picker or dropped on the page. Names are matched by base name because
 * a picked folder arrives as "my-model/config.json" (webkitRelativePath) while a drop arrives as "config.json".
 * When several picked files share a base name, the shallowest one wins: that is the model folder's own file,
 * not a copy in some subfolder.
 */
import type { ByteSource } from '../safetensors.ts';
import { blobSource } from './blob-source.ts';
import { baseName, checkFileName, ModelFileNotFoundError, type ModelSource } from './source.ts';

function depth(f: File): number {
  const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
  return rel.split('/').length;
}

export function browserFilesSource(files: File[]): ModelSource {
  const byName = new Map<string, File>();
  for (const f of files) {
    const key = baseName(f.name);
    const seen = byName.get(key);
    if (!seen || depth(f) < depth(seen)) byName.set(key, f);
  }
  const first = files[0] as (File & { webkitRelativePath?: string }) | undefined;
  const folder = first?.webkitRelativePath?.split('/')[0];
  const describe = folder ? `picked folder ${folder}` : `${files.length} picked file${files.length === 1 ? '' : 's'}`;

  const find = (file: string): File | undefined => byName.get(baseName(checkFileName(file, describe)));
  const get = (file: string): File => {
    const f = find(file);
    if (!f) throw new ModelFileNotFoundError(file, describe, 'add it to the selection');
    return f;
  };

  return {
    describe,
    async has(file) {
      return find(file) !== undefined;
    },
    async text(file) {
      return get(file).text();
    },
    async open(file): Promise<ByteSource> {
      const f = get(file);
      return blobSource(f, `${describe}: ${f.name}`);
    },
  };
}
