import { describe, expect, it } from 'vitest';
import { EngineClient, type WorkerPort } from '../../src/worker/client.ts';
import type { FromWorker, ToWorker } from '../../src/worker/protocol.ts';

class FakePort implements WorkerPort {
  sent: { msg: ToWorker; transfer: Transferable[] }[] = [];
  private onMessage: ((ev: MessageEvent) => void) | null = null;
  private onError: ((ev: ErrorEvent) => void) | null = null;
  terminated = false;
  postMessage(message: unknown, transfer: Transferable[]): void {
    this.sent.push({ msg: message as ToWorker, transfer });
  }
  addEventListener(type: 'message' | 'error', listener: (ev: never) => void): void {
    if (type === 'message') this.onMessage = listener as (ev: MessageEvent) => void;
    else this.onError = listener as (ev: ErrorEvent) => void;
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(msg: FromWorker): void {
    this.onMessage?.({ data: msg } as MessageEvent);
  }
  fail(message: string): void {
    this.onError?.({ message, preventDefault() {} } as ErrorEvent);
  }
}

describe('engine client', () => {
  it('matches replies to requests by id and passes every message to listeners', async () => {
    const port = new FakePort();
    const client = new EngineClient(port);
    const heard: string[] = [];
    client.subscribe((m) => heard.push(m.type));
    const a = client.request({ type: 'evaluate', ids: [1, 2] });
    const b = client.request({ type: 'evaluate', ids: [3] });
    const [ma, mb] = port.sent.map((s) => s.msg as Extract<ToWorker, { type: 'evaluate' }>);
    expect(ma.requestId).not.toBe(mb.requestId);
    port.reply({ type: 'evaluated', requestId: mb.requestId, ids: [3], nll: [], argmax: [7], hLm: 0 });
    port.reply({ type: 'error', op: 'evaluate', requestId: ma.requestId, message: 'bad ids' });
    await expect(b).resolves.toMatchObject({ argmax: [7] });
    await expect(a).rejects.toThrow('bad ids');
    expect(heard).toEqual(['evaluated', 'error']);
  });

  it('transfers solution bytes instead of copying them', () => {
    const port = new FakePort();
    const client = new EngineClient(port);
    const bytes = new ArrayBuffer(16);
    client.send({ type: 'decode', requestId: 1, bytes, name: 's.safetensors' });
    expect(port.sent[0].transfer).toEqual([bytes]);
    client.send({ type: 'pause' });
    expect(port.sent[1].transfer).toEqual([]);
  });

  it('a worker that fails to start rejects pending requests and tells listeners', async () => {
    const port = new FakePort();
    const client = new EngineClient(port);
    const heard: FromWorker[] = [];
    client.subscribe((m) => heard.push(m));
    const p = client.request({ type: 'tokenize', text: 'x', layout: 'e,m*(N-1)', firstTarget: 'e' });
    port.fail('SyntaxError in engine-worker.ts');
    await expect(p).rejects.toThrow(/engine worker failed: SyntaxError/);
    expect(heard[0]).toMatchObject({ type: 'error', op: 'worker' });
  });
});
