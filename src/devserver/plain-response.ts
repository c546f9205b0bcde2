import type { IncomingMessage, ServerResponse } from 'node:http';

/** A short text answer (errors and refusals of the dev server's file routes). */
export function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

/** The file routes are read-only: anything but GET or HEAD is answered 405 here (true when answered). */
export function refusedMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.setHeader('Allow', 'GET, HEAD');
  plain(res, 405, 'Method not allowed\n');
  return true;
}
