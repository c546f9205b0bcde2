/**
 * The UI side of the worker protocol: typed send, a listener list, and request/reply promises
 * matched by requestId. It holds no engine code; the worker is started from its URL.
 */
import { REPLY_TYPES, transferablesOf, type FromWorker, type ReplyOf, type RequestOf, type RequestType, type ToWorker } from './protocol.ts';

/** The part of a Worker the client uses (a fake in tests). */
export interface WorkerPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (ev: ErrorEvent) => void): void;
  terminate(): void;
}

type Listener = (msg: FromWorker) => void;

interface Pending {
  want: string;
  resolve: (msg: FromWorker) => void;
  reject: (e: Error) => void;
}

export class EngineClient {
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly worker: WorkerPort) {
    worker.addEventListener('message', (ev: MessageEvent) => this.receive(ev.data as FromWorker));
    worker.addEventListener('error', (ev: ErrorEvent) => {
      ev.preventDefault?.();
      const message = `The engine worker failed: ${ev.message || 'it could not be started (module load error)'}`;
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
      this.receive({ type: 'error', op: 'worker', message });
    });
  }

  /** A fresh id for a request sent with `send` (use `request` to also await the answer). */
  newRequestId(): number {
    return this.nextId++;
  }

  send(msg: ToWorker): void {
    this.worker.postMessage(msg, transferablesOf(msg));
  }

  /** Sends a request and resolves with its answer, or rejects with the worker's error for it. */
  request<T extends RequestType>(msg: Omit<RequestOf<T>, 'requestId'> & { type: T }): Promise<ReplyOf<T>> {
    const requestId = this.newRequestId();
    const want = REPLY_TYPES[msg.type];
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      this.pending.set(requestId, { want, resolve: resolve as (m: FromWorker) => void, reject });
      this.send({ ...msg, requestId } as unknown as ToWorker);
    });
  }

  /** Every message from the worker; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('The engine worker was terminated.'));
    this.pending.clear();
  }

  private receive(msg: FromWorker): void {
    const id = 'requestId' in msg ? msg.requestId : undefined;
    if (id !== undefined) {
      const p = this.pending.get(id);
      if (p && (msg.type === p.want || msg.type === 'error')) {
        this.pending.delete(id);
        if (msg.type === 'error') p.reject(new Error(msg.message));
        else p.resolve(msg);
      }
    }
    for (const l of this.listeners) l(msg);
  }
}

/** Starts the engine worker (a module worker bundled by Vite) and wraps it. */
export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: 'protolab-engine' });
  return new EngineClient(worker as unknown as WorkerPort);
}
