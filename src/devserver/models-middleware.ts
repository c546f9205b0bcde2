import type { IncomingMessage, ServerResponse } from 'node:http';
import { findModels, listModelFiles, type ModelFolder } from './model-catalog.ts';
import { parseModelRequest } from './model-request.ts';
import type { ModelRoot } from './model-roots.ts';
import { plain, refusedMethod } from './plain-response.ts';
import { sendFile } from './send-file.ts';

export type Next = (err?: unknown) => void;
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** One entry of GET /models/index.json. */
export interface ModelIndexEntry {
  name: string;
  files: string[];
  bytes: number;
}

async function indexOf(folders: ModelFolder[]): Promise<ModelIndexEntry[]> {
  return Promise.all(
    folders.map(async (folder) => {
      const files = await listModelFiles(folder);
      return { name: folder.name, files: files.map((f) => f.path), bytes: files.reduce((sum, f) => sum + f.size, 0) };
    }),
  );
}

/**
 * Serves `/models/index.json` and `/models/<name>/<file>` from the model roots; everything else
 * goes to `next`. A file is served only if the catalog lists it, so the listing rules in
 * model-catalog.ts are the whole security boundary. `roots` is called per request so tests and
 * the dev server can change the environment without rebuilding the middleware.
 */
export function createModelsMiddleware(roots: () => readonly ModelRoot[]): Middleware {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const request = parseModelRequest(req.url);
    if (!request) return false;
    if (refusedMethod(req, res)) return true;
    if (request.kind === 'invalid') {
      plain(res, 400, 'Bad model path\n');
      return true;
    }
    const folders = await findModels(roots());
    if (request.kind === 'index') {
      const body = JSON.stringify(await indexOf(folders));
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    const folder = folders.find((f) => f.name === request.model);
    const file = folder && (await listModelFiles(folder)).find((f) => f.path === request.path);
    if (!file) {
      plain(res, 404, 'No such model file\n');
      return true;
    }
    await sendFile(req, res, file.realPath);
    return true;
  };

  return (req, res, next) => {
    handle(req, res).then(
      (handled) => {
        if (!handled) next();
      },
      (err: unknown) => {
        if (!res.headersSent) plain(res, 500, 'Model server error\n');
        else res.destroy(err instanceof Error ? err : undefined);
      },
    );
  };
}
