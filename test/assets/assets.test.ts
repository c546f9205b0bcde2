import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/util/assets-dir.ts';

/**
 * The repository carries its own models, golden fixtures and texts (issue 14), so these tests read
 * the checkout's assets/ itself, not PROTOLAB_ASSETS: what a stranger's clone gets.
 */
const ASSETS = join(REPO_ROOT, 'assets');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ASSETS, join(e.parentPath, e.name)).split('\\').join('/'));
}

function manifest(path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/u.exec(line);
    if (!m) throw new Error(`SHA256SUMS line is not "<sha256>  <path>": ${line}`);
    out.set(m[2], m[1]);
  }
  return out;
}

describe("the repository's assets", () => {
  const sums = manifest(join(ASSETS, 'SHA256SUMS'));

  it('are byte for byte what arrived (every file in SHA256SUMS, with its hash)', () => {
    const wrong = [...sums].filter(([path, sha]) => createHash('sha256').update(readFileSync(join(ASSETS, path))).digest('hex') !== sha);
    expect(wrong.map(([path]) => path)).toEqual([]);
  });

  it('hold nothing the manifest does not list', () => {
    const present = ['models', 'fixtures', 'data'].flatMap((part) => filesUnder(join(ASSETS, part)));
    expect(present.filter((p) => !sums.has(p))).toEqual([]);
    expect(present.length).toBe(sums.size);
  });

  it('include the default model, every golden fixture, the texts and the tokenizers the tests use', () => {
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'reference_outputs.json', 'SOURCE.md']) {
      expect(sums.has(`models/stories260k/${file}`), file).toBe(true);
    }
    const fixtures = readdirSync(join(ASSETS, 'fixtures'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(fixtures).toEqual(expect.arrayContaining(['stories260k', 'llama-gqa-untied', 'gpt-neox-tiny', 'gpt-neox-seq-bf16', 'qwen2-tiny', 'qwen3-tiny', 'gpt2-tiny', 'gemma3-tiny']));
    for (const name of fixtures) {
      for (const file of ['config.json', 'model.safetensors', 'golden.json', 'tokenizer.json']) expect(sums.has(`fixtures/${name}/${file}`), `${name}/${file}`).toBe(true);
    }
    for (const file of ['fixtures/README.md', 'data/SOURCES.md', 'data/words/glove_top100k.txt', 'data/pg19/manifest.jsonl', 'data/recent/manifest.jsonl', 'models/_tokenizers_only/SOURCE.md', 'models/_tokenizers_only/all-MiniLM-L6-v2/tokenizer.json']) {
      expect(sums.has(file), file).toBe(true);
    }
    expect([...sums.keys()].filter((p) => p.startsWith('data/pg19/test/')).length).toBeGreaterThanOrEqual(40);
  });
});

/** The places code and tests live; none may name a folder outside the checkout to read from. */
const SOURCE_DIRS = ['src', 'test', 'e2e', 'bench', 'scripts'];
const OUTSIDE = /\.\.\/shared\/|\/work\/shared/u;
const IMPORT_OF_MODULE = /(from\s+|import\(\s*)['"][^'"]*\/shared\/[^'"]+\.tsx?['"]/u;

describe('nothing reads outside the checkout', () => {
  it('no source, test, benchmark or script names ../shared/ or /work/shared (only the sync script reads it, when asked)', () => {
    const offenders: string[] = [];
    for (const dir of SOURCE_DIRS) {
      for (const entry of readdirSync(join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })) {
        if (!entry.isFile() || !/\.(ts|tsx|mjs|js|sh|py)$/u.test(entry.name)) continue;
        const path = join(entry.parentPath, entry.name);
        const rel = relative(REPO_ROOT, path);
        if (rel === join('scripts', 'sync-assets.sh') || rel === join('test', 'assets', 'assets.test.ts')) continue;
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            // src/shared (the pure modules both sides of the worker use) is imported, not read.
            if (OUTSIDE.test(line) && !IMPORT_OF_MODULE.test(line)) offenders.push(`${rel}:${i + 1}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('scripts/sync-assets.sh', () => {
  const work = mkdtempSync(join(tmpdir(), 'protolab-sync-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A throwaway checkout (the script and an assets/ folder) and a shared folder beside it. */
  function layout(name: string) {
    const repo = join(work, name, 'repo');
    const shared = join(work, name, 'shared');
    mkdirSync(join(repo, 'scripts'), { recursive: true });
    mkdirSync(join(repo, 'assets', 'fixtures', 'old-tiny'), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'scripts', 'sync-assets.sh'), join(repo, 'scripts', 'sync-assets.sh'));
    writeFileSync(join(repo, 'assets', 'fixtures', 'old-tiny', 'golden.json'), '{"old":1}\n');
    mkdirSync(join(shared, 'fixtures', 'new-tiny'), { recursive: true });
    mkdirSync(join(shared, 'data', 'words'), { recursive: true });
    writeFileSync(join(shared, 'fixtures', 'new-tiny', 'golden.json'), '{"logits":[1.5]}\r\n');
    writeFileSync(join(shared, 'data', 'words', 'list.txt'), 'the\nof\n');
    return { repo, shared, run: (...args: string[]) => spawnSync('bash', [join(repo, 'scripts', 'sync-assets.sh'), ...args], { encoding: 'utf8' }) };
  }

  it('copies new fixtures and texts in unchanged, keeps what is there, and lists them in SHA256SUMS', () => {
    const { repo, shared, run } = layout('copy');
    const first = run(shared);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('fixtures/new-tiny/golden.json');
    expect(readFileSync(join(repo, 'assets', 'fixtures', 'new-tiny', 'golden.json'), 'utf8')).toBe('{"logits":[1.5]}\r\n');
    expect(readFileSync(join(repo, 'assets', 'fixtures', 'old-tiny', 'golden.json'), 'utf8')).toBe('{"old":1}\n');
    const sums = manifest(join(repo, 'assets', 'SHA256SUMS'));
    expect([...sums.keys()]).toEqual(['data/words/list.txt', 'fixtures/new-tiny/golden.json', 'fixtures/old-tiny/golden.json']);
    expect(sums.get('data/words/list.txt')).toBe(execFileSync('sha256sum', [join(shared, 'data', 'words', 'list.txt')], { encoding: 'utf8' }).slice(0, 64));
    const again = run(shared);
    expect(again.stdout).toContain('already holds everything');
  });

  it('refuses a folder that is not a shared folder, naming it and what it should hold', () => {
    const { repo, run } = layout('refuse');
    const missing = run(join(work, 'nowhere'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nowhere is not a folder; pass the shared folder's path/u);
    const wrong = run(join(repo, 'scripts'));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/has none of models\/, fixtures\/, data\//u);
  });
});
