/**
 * Files from a drop: plain files as they are, and dropped folders walked breadth-first (two levels)
 * so a model folder's own files come before copies in its subfolders.
 */
export interface DroppedFiles {
  files: File[];
  /** The dropped folder's name, when one folder was dropped. */
  folder: string | null;
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const more = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          more();
        }
      }, reject);
    more();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

export async function filesFromDrop(dt: DataTransfer, maxDepth = 2): Promise<DroppedFiles> {
  const entries = [...dt.items].map((item) => item.webkitGetAsEntry?.() ?? null).filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return { files: [...dt.files], folder: null };
  const dirs = entries.filter((e) => e.isDirectory);
  const folder = dirs.length === 1 && entries.length === 1 ? dirs[0].name : null;
  const files: File[] = [];
  let level: FileSystemEntry[] = entries;
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: FileSystemEntry[] = [];
    for (const e of level) {
      if (e.isFile) files.push(await fileOf(e as FileSystemFileEntry));
      else if (e.isDirectory) next.push(...(await readEntries(e as FileSystemDirectoryEntry)));
    }
    level = next;
  }
  return { files, folder };
}
