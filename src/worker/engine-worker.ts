/// <reference lib="webworker" />
/** Entry of the engine's module worker: protocol messages in, protocol messages out. */
import { Engine } from './engine.ts';
import { transferablesOf, type FromWorker, type ToWorker } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const engine = new Engine((msg: FromWorker) => scope.postMessage(msg, transferablesOf(msg)));

scope.addEventListener('message', (ev: MessageEvent<ToWorker>) => engine.handle(ev.data));
scope.addEventListener('unhandledrejection', (ev: PromiseRejectionEvent) => {
  const reason: unknown = ev.reason;
  scope.postMessage({ type: 'error', op: 'worker', message: reason instanceof Error ? reason.message : String(reason) } satisfies FromWorker);
});
