import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLine, protolabAsync } from '../helpers/cli.ts';
import { STORIES } from '../helpers/fixtures.ts';
import { startHubServer, type HubServer } from '../helpers/hub-server.ts';

/** The environment a user would have, minus any Hugging Face settings of this machine. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(HF_|HUGGINGFACE_)/.test(k)) delete env[k];
  return { ...env, ...extra };
}

describe('protolab --model owner/name', () => {
  let hub: HubServer;
  let cache: string;
  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'protolab-cli-hub-'));
    hub = await startHubServer({ repos: { 'local/stories260k': STORIES }, separateCdn: true });
  });
  afterAll(async () => {
    await hub.close();
    rmSync(cache, { recursive: true, force: true });
  });

  it('info --json downloads the model into HF_HUB_CACHE, then runs from the cache with the Hub gone', async () => {
    const env = envWith({ HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url });
    const r = await protolabAsync(['info', '--model', 'local/stories260k', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ model: 'local/stories260k@main', architecture: 'llama', parameters: 260032, vocab: 512, loaded: true });
    const commit = hub.commitOf('local/stories260k', 'main');
    const repo = join(cache, 'models--local--stories260k');
    expect(readFileSync(join(repo, 'refs', 'main'), 'utf8')).toBe(commit);
    expect(lstatSync(join(repo, 'snapshots', commit, 'model.safetensors')).isSymbolicLink()).toBe(true);
    expect(hub.log.some((l) => l.server === 'cdn' && l.path.endsWith('/model.safetensors'))).toBe(true);

    await hub.close();
    const again = await protolabAsync(['info', '--model', 'local/stories260k', '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).fingerprint).toBe(info.fingerprint);
  });

  it('a model that is neither a folder nor reachable fails with one line saying what to do', async () => {
    const env = envWith({ HF_HUB_CACHE: cache, HF_ENDPOINT: 'http://127.0.0.1:9' });
    const down = await protolabAsync(['info', '--model', 'local/other-model', '--json'], { env });
    expect(down.code).not.toBe(0);
    const line = errorLine(down);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^protolab: local\/other-model@main: asking for config\.json failed after \d+ attempts: .*check the network and HF_ENDPOINT/);
    const bad = await protolabAsync(['info', '--model', STORIES, '--revision', 'main'], { env });
    expect(bad.code).toBe(2);
    expect(errorLine(bad)).toMatch(/--revision goes with a Hub id/);
  });
});
