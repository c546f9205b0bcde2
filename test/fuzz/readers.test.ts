import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonlStore, ResultsFileError } from '../../src/experiments/node/jsonl-store.ts';
import { parseRecords } from '../../src/experiments/records.ts';
import { fakeRecord } from '../helpers/records.ts';
import { bytesSource, encodeSafetensors, readSafetensorsHeader, readTensor, SafetensorsError } from '../../src/model/safetensors.ts';
import { parseConfig, ModelConfigError } from '../../src/model/config.ts';
import { decodeSolutionBytes, encodeSolution, SolutionFileError, type Solution } from '../../src/prototokens/solution-file.ts';
import { FIXTURES, STORIES } from '../helpers/fixtures.ts';
import { DEFAULT_LAYOUT } from '../../src/shared/layouts.ts';

// Issue 7: the readers of files a user (or anyone) hands the lab never crash, hang or throw an
// untyped exception. Each property runs RUNS random and mutated inputs per CI run; a failure
// prints the shrunk input that broke it. An input "passes" when it is read or refused with the
// reader's own error type; the per-input time limit catches hangs.
const RUNS = 10_000;
// What this catches is work without bound (a hang, or minutes on a header that claims 2^63 of
// something): a mutated file is read in milliseconds. 10 s, not 1, so that a machine running other
// work (1.1 s was seen at a load average of 10 on 2 cores) does not fail it; a test states what the
// product promises, not how fast this machine is.
const PER_INPUT_MS = 10_000;

function jsonFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Well-formed files to mutate: F32 from the writer, F16 and BF16 by hand, metadata, empty tensors. */
function seedFiles(): Uint8Array[] {
  const f32 = encodeSafetensors(
    [
      { name: 'a', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'b', shape: [4], data: Float32Array.from([-1, 0.5, 1e-8, 3e7]) },
    ],
    { format: 'pt', note: 'seed' },
  );
  const half = new Uint8Array(8).fill(0x3c);
  return [
    f32,
    jsonFile({ h: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] } }, half),
    jsonFile({ h: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] }, __metadata__: { k: 'v' } }, half),
    jsonFile({ e: { dtype: 'F32', shape: [0], data_offsets: [0, 0] }, m: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
  ];
}

/** A mutation of bytes: flips, overwrites, truncation, extension, or a rewritten header length. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ kind: fc.constant('length' as const), lo: fc.nat({ max: 0xffffffff }), hi: fc.nat({ max: 0xffffffff }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of ms) {
    if (m.kind === 'flip' && b.length) b[m.at % b.length] ^= 1 << m.bit;
    else if (m.kind === 'set' && b.length) b[m.at % b.length] = m.value;
    else if (m.kind === 'truncate') b = b.slice(0, m.at % (b.length + 1));
    else if (m.kind === 'extend') {
      const n = new Uint8Array(b.length + m.bytes.length);
      n.set(b);
      n.set(m.bytes, b.length);
      b = n;
    } else if (m.kind === 'length' && b.length >= 8) {
      const v = new DataView(b.buffer, b.byteOffset, 8);
      v.setUint32(0, m.lo, true);
      v.setUint32(4, m.hi % 4, true); // sometimes huge, never past 2^34
    }
  }
  return b;
}

/** Header JSON edits that keep it JSON but make it wrong: the cases a byte flip rarely reaches. */
const headerEdit = fc.record({
  dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I8', 'BOOL', 'f32', '', 7, null),
  shape: fc.oneof(fc.array(fc.integer({ min: -3, max: 1 << 20 }), { maxLength: 4 }), fc.constant('x'), fc.constant(null)),
  offsets: fc.oneof(fc.tuple(fc.integer({ min: -8, max: 1 << 30 }), fc.integer({ min: -8, max: 1 << 30 })), fc.array(fc.double(), { maxLength: 3 }), fc.constant({})),
  data: fc.uint8Array({ maxLength: 256 }),
  metadata: fc.oneof(fc.constant(undefined), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), fc.constant([])),
  // Some headers describe their data exactly (shape, offsets and length agree), so readable files are drawn too.
  consistent: fc.boolean(),
});
const DTYPE_SIZE: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

function headerFile(x: typeof headerEdit extends fc.Arbitrary<infer T> ? T : never): Uint8Array {
  let { offsets, data } = x;
  const size = typeof x.dtype === 'string' ? DTYPE_SIZE[x.dtype] : undefined;
  if (x.consistent && size && Array.isArray(x.shape)) {
    const shape = x.shape.map((d) => Math.abs(d) % 5);
    const bytes = shape.reduce((a, b) => a * b, 1) * size;
    return jsonFile({ t: { dtype: x.dtype, shape, data_offsets: [0, bytes] }, ...(x.metadata !== undefined ? { __metadata__: x.metadata } : {}) }, new Uint8Array(bytes));
  }
  return jsonFile({ t: { dtype: x.dtype, shape: x.shape, data_offsets: offsets }, ...(x.metadata !== undefined ? { __metadata__: x.metadata } : {}) }, data);
}

async function readAll(bytes: Uint8Array): Promise<void> {
  const src = bytesSource(bytes, 'fuzz.safetensors');
  const header = await readSafetensorsHeader(src);
  for (const info of header.tensors.values()) await readTensor(src, info);
}

/** How a property's inputs ended: both counts must be non-zero, or the fuzzing missed one side. */
interface Tally {
  read: number;
  refused: number;
}
const tally = (): Tally => ({ read: 0, refused: 0 });

/** Runs f; returns normally when it succeeds or throws one of `allowed`; rethrows anything else. */
async function typedOutcome(t: Tally, f: () => Promise<unknown>, allowed: (new (...a: never[]) => Error)[]): Promise<void> {
  const t0 = performance.now();
  try {
    await f();
    t.read++;
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw new Error(`untyped failure: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    if (!(e as Error).message) throw new Error('an error without a message');
    t.refused++;
  }
  const ms = performance.now() - t0;
  if (ms > PER_INPUT_MS) throw new Error(`took ${ms.toFixed(0)} ms`);
}

describe('fuzz: safetensors, solution and config readers never crash, hang or throw untyped errors', () => {
  const seeds = seedFiles();

  it('counts a TypeError from a reader as a failure (the harness can fail)', async () => {
    await expect(typedOutcome(tally(), async () => (null as unknown as { x: number }).x, [SafetensorsError])).rejects.toThrow(/untyped failure: TypeError/);
  });

  it(`safetensors reader: ${RUNS} mutated files`, async () => {
    const t = tally();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (i, ms) => {
        await typedOutcome(t, () => readAll(mutate(seeds[i], ms)), [SafetensorsError]);
      }),
      { numRuns: RUNS },
    );
    expect(t.read).toBeGreaterThan(0);
    expect(t.refused).toBeGreaterThan(0);
  });

  it(`safetensors reader: ${RUNS} wrong headers and random bytes`, async () => {
    const t = tally();
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerEdit, fc.uint8Array({ maxLength: 512 })), async (x) => {
        const bytes = x instanceof Uint8Array ? x : headerFile(x);
        await typedOutcome(t, () => readAll(bytes), [SafetensorsError]);
      }),
      { numRuns: RUNS },
    );
    expect(t.read).toBeGreaterThan(0);
    expect(t.refused).toBeGreaterThan(0);
  });

  it(`solution reader: ${RUNS} mutated solution files`, async () => {
    const d = 8;
    const base: Solution = {
      e: Float32Array.from({ length: d }, (_, i) => i / 7),
      m: Float32Array.from({ length: d }, (_, i) => -i / 3),
      meta: {
        model: 'stories260k',
        modelFingerprint: 'f'.repeat(64),
        weightFormat: 'f32',
        hidden: d,
        layout: DEFAULT_LAYOUT,
        firstTarget: 'e',
        targetIds: [5, 6, 7],
        text: 'Once <b>upon</b> a time',
        seed: 1,
        lr: 0.01,
        init: 'normal',
        steps: 10,
        loss: 0.5,
        accuracy: 1,
        cTokens: 3,
        seconds: 1.5,
        createdAt: '2026-11-28T00:00:00Z',
        labVersion: '0.1.0',
      },
    };
    const good = encodeSolution(base);
    await expect(decodeSolutionBytes(good, 'good.safetensors')).resolves.toBeTruthy();
    const t = tally();
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        await typedOutcome(t, () => decodeSolutionBytes(mutate(good, ms), 'fuzz.safetensors'), [SolutionFileError, SafetensorsError]);
      }),
      { numRuns: RUNS },
    );
    expect(t.read).toBeGreaterThan(0);
    expect(t.refused).toBeGreaterThan(0);
  });

  it(`results reader: ${RUNS / 10} mutated results files are read or refused whole, and the resume cut keeps whole lines only`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'protolab-fuzz-results-'));
    const good = Buffer.from([1, 2, 3].map((i) => JSON.stringify(fakeRecord({ attempt: `a${i}`, text: `t${i}`, length: 2 + i })) + '\n').join(''));
    const t = tally();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const file = join(dir, `r${n++}.jsonl`);
        const bytes = mutate(new Uint8Array(good), ms);
        writeFileSync(file, bytes);
        await typedOutcome(t, async () => {
          const { records, skipped } = parseRecords(Buffer.from(bytes).toString('utf8'));
          expect(records.length + skipped).toBeLessThanOrEqual(bytes.length);
          let loaded;
          try {
            loaded = jsonlStore(file).load();
          } catch (e) {
            // Refused: untouched, byte for byte.
            expect(readFileSync(file).equals(Buffer.from(bytes))).toBe(true);
            throw e;
          }
          // What stays is exactly the whole lines: the file now ends at a newline (or is empty).
          const after = readFileSync(file);
          expect(after.length === 0 || after[after.length - 1] === 0x0a).toBe(true);
          expect(loaded.length).toBeLessThanOrEqual(3);
        }, [ResultsFileError]);
      }),
      { numRuns: RUNS / 10 },
    );
    expect(t.read).toBeGreaterThan(0);
    expect(t.refused).toBeGreaterThan(0);
  });

  it(`config parser: ${RUNS} random and mutated config.json values`, async () => {
    const real = [`${STORIES}/config.json`, `${FIXTURES}gpt-neox-tiny/config.json`, `${FIXTURES}llama-gqa-untied/config.json`].map(
      (f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>,
    );
    expect(() => real.forEach((c) => parseConfig(c))).not.toThrow();
    const keys = [...new Set(real.flatMap((c) => Object.keys(c)))];
    const t = tally();
    const value = fc.oneof(fc.integer({ min: -5, max: 1 << 20 }), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue()));
    const edited = fc.record({
      base: fc.nat({ max: real.length - 1 }),
      set: fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 4 }),
      drop: fc.array(fc.constantFrom(...keys), { maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(edited, fc.jsonValue()), async (x) => {
        let json: unknown = x;
        if (x && typeof x === 'object' && 'base' in x && 'set' in x && 'drop' in x) {
          const e = x as { base: number; set: [string, unknown][]; drop: string[] };
          const c: Record<string, unknown> = { ...real[e.base] };
          for (const k of e.drop) delete c[k];
          for (const [k, v] of e.set) c[k] = v;
          json = c;
        }
        await typedOutcome(t, async () => parseConfig(json), [ModelConfigError]);
      }),
      { numRuns: RUNS },
    );
    expect(t.read).toBeGreaterThan(0);
    expect(t.refused).toBeGreaterThan(0);
  });
});
