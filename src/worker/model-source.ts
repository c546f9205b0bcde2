/** Protocol model sources → engine ModelSources (browser ones only), with download progress. */
import type { DownloadProgress, ModelSource } from '../model/sources/source.ts';
import { httpSource } from '../model/sources/http.ts';
import { hubSource } from '../model/sources/hub.ts';
import { browserFilesSource } from '../model/sources/browser-files.ts';
import type { ModelSourceSpec } from './protocol.ts';

export function openSource(spec: ModelSourceSpec, onProgress: (p: DownloadProgress) => void): ModelSource {
  switch (spec.kind) {
    case 'url':
      return httpSource(new URL(spec.url, globalThis.location?.href).href, { onProgress });
    case 'hub':
      return hubSource(spec.repo.trim(), spec.revision.trim() || 'main', { onProgress });
    case 'files':
      if (spec.files.length === 0) throw new Error('No files were picked: choose the model folder (it holds config.json).');
      return browserFilesSource(spec.files);
  }
}

/** A short name for a source: the served folder, the repo@revision, or the picked folder. */
export function sourceLabel(spec: ModelSourceSpec): string {
  switch (spec.kind) {
    case 'url':
      return decodeURIComponent(spec.url.replace(/\/+$/, '').split('/').pop() ?? spec.url);
    case 'hub':
      return `${spec.repo.trim()}@${spec.revision.trim() || 'main'}`;
    case 'files': {
      const first = spec.files[0] as (File & { webkitRelativePath?: string }) | undefined;
      return first?.webkitRelativePath?.split('/')[0] || 'picked files';
    }
  }
}
