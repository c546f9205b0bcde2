/**
 * deploy/: the container image, the Kubernetes Job and the Slurm array that spread a sweep over
 * many machines. Nothing here can be run without a cluster, so these checks read the files: what
 * a typo would otherwise reveal only after the pods or tasks start (a shard count that disagrees
 * with the job's size, a volume not mounted where results are written, a flag the CLI lacks).
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { protolab } from '../helpers/cli.ts';
import { REPO_ROOT } from '../../src/util/assets-dir.ts';

const DEPLOY = join(REPO_ROOT, 'deploy');
const K8S = join(DEPLOY, 'kubernetes');
const SLURM = join(DEPLOY, 'slurm');

type Doc = Record<string, any>;
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  resources?: { limits?: Record<string, unknown> };
  volumeMounts?: { name: string; mountPath: string }[];
}

function manifests(): { file: string; doc: Doc }[] {
  const out: { file: string; doc: Doc }[] = [];
  for (const file of readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f))) {
    for (const d of parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))) {
      expect(d.errors, `${file}: ${d.errors.join('; ')}`).toEqual([]);
      const doc = d.toJS() as Doc | null;
      if (doc) out.push({ file, doc });
    }
  }
  return out;
}

const sbatchScripts = () => readdirSync(SLURM).filter((f) => f.endsWith('.sbatch'));
const jobs = () => manifests().filter((m) => m.doc.kind === 'Job');
const containersOf = (job: Doc): Container[] => job.spec.template.spec.containers;

/** The protolab command lines a container runs: its args, or the `protolab ...` parts of a `sh -c` script. */
function protolabLines(c: Container): string[][] {
  if (!c.command) return [c.args ?? []];
  const script = c.command[c.command.length - 1];
  return [...script.matchAll(/protolab\s+([^>|;&]+)/g)].map((m) => m[1].trim().split(/\s+/));
}

/** The sweep command of sweep-array.sbatch: the continued line that starts with the protolab array. */
function slurmSweepLine(): string {
  const text = readFileSync(join(SLURM, 'sweep-array.sbatch'), 'utf8');
  const m = /^"\$\{protolab\[@\]\}" sweep (?:.*\\\n)*.*$/m.exec(text);
  expect(m, 'sweep-array.sbatch runs "${protolab[@]}" sweep ...').not.toBeNull();
  return m![0].replace(/\\\n/g, ' ');
}

/** A stand-in for the lab (bin/protolab.mjs) that prints the Vulkan driver it was given and its arguments. */
function standInLab(): string {
  const home = mkdtempSync(join(tmpdir(), 'protolab-standin-'));
  mkdirSync(join(home, 'bin'));
  const print = '{ icd: process.env.VK_ICD_FILENAMES ?? null, offline: process.env.HF_HUB_OFFLINE ?? null, args: process.argv.slice(2) }';
  writeFileSync(join(home, 'bin', 'protolab.mjs'), `console.log(JSON.stringify(${print}));\n`);
  return home;
}

const flagsIn = (words: string) => [...words.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]);
const flagValue = (words: string[], flag: string) => words[words.indexOf(flag) + 1];

describe('deploy/kubernetes', () => {
  it('every manifest parses and names its apiVersion, kind and metadata.name', () => {
    const all = manifests();
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const { file, doc } of all) {
      expect(typeof doc.apiVersion, file).toBe('string');
      expect(typeof doc.kind, file).toBe('string');
      expect(typeof doc.metadata?.name, file).toBe('string');
    }
  });

  it('the sweep is an Indexed Job whose size is the N of --shard $(JOB_COMPLETION_INDEX)/N', () => {
    const indexed = jobs().filter((j) => j.doc.spec.completionMode === 'Indexed');
    expect(indexed.map((j) => j.file)).toEqual(['sweep-job.yaml']);
    const { spec } = indexed[0].doc;
    const [c] = containersOf(indexed[0].doc);
    const args = c.args!;
    expect(args[0]).toBe('sweep');
    const shard = /^\$\(JOB_COMPLETION_INDEX\)\/(\d+)$/.exec(flagValue(args, '--shard'));
    expect(shard, `--shard ${flagValue(args, '--shard')}`).not.toBeNull();
    expect(spec.completions).toBe(Number(shard![1]));
    expect(spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(spec.backoffLimitPerIndex).toBeGreaterThanOrEqual(1);
    expect(spec.maxFailedIndexes).toBeGreaterThanOrEqual(0);
    expect(flagValue(args, '--out')).toMatch(/\$\(JOB_COMPLETION_INDEX\)/); // one file per shard
    expect(Number(c.resources?.limits?.['nvidia.com/gpu'])).toBe(1);
    // The toolkit injects the NVIDIA Vulkan driver only with the graphics capability.
    expect(c.env?.find((e) => e.name === 'NVIDIA_DRIVER_CAPABILITIES')?.value).toMatch(/graphics/);
  });

  it('every Job restarts nothing itself, mounts only volumes it declares, and claims only PVCs that exist', () => {
    const all = manifests();
    const pvcs = new Map(all.filter((m) => m.doc.kind === 'PersistentVolumeClaim').map((m) => [m.doc.metadata.name, m.doc]));
    for (const pvc of pvcs.values()) expect(pvc.spec.accessModes).toContain('ReadWriteMany'); // many pods at once
    for (const { file, doc } of jobs()) {
      const pod = doc.spec.template.spec;
      expect(pod.restartPolicy, file).toBe('Never');
      const volumes = new Map((pod.volumes ?? []).map((v: Doc) => [v.name, v]));
      for (const c of containersOf(doc)) {
        for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), `${file}: volumeMount ${m.name}`).toBe(true);
      }
      for (const v of volumes.values() as Iterable<Doc>) {
        if (v.persistentVolumeClaim) expect(pvcs.has(v.persistentVolumeClaim.claimName), `${file}: claim ${v.persistentVolumeClaim.claimName}`).toBe(true);
      }
    }
  });

  it('each shard writes onto the shared results volume, which the merge step reads', () => {
    const byFile = new Map(jobs().map((j) => [j.file, j.doc]));
    const resultsClaim = (job: Doc, path: string): string | undefined => {
      const c = containersOf(job)[0];
      const mount = (c.volumeMounts ?? []).find((m) => path.startsWith(m.mountPath.replace(/\/?$/, '/')));
      const volume = job.spec.template.spec.volumes.find((v: Doc) => v.name === mount?.name);
      return volume?.persistentVolumeClaim?.claimName;
    };
    const sweep = byFile.get('sweep-job.yaml')!;
    const out = flagValue(containersOf(sweep)[0].args!, '--out');
    const claim = resultsClaim(sweep, out);
    expect(claim, `no PVC mounted above --out ${out}`).toBeDefined();

    const merge = byFile.get('merge-job.yaml')!;
    const [report] = protolabLines(containersOf(merge)[0]);
    expect(report[0]).toBe('report');
    const pattern = report[1].replace(/^'|'$/g, '');
    expect(dirname(pattern)).toBe(dirname(out));
    expect(resultsClaim(merge, pattern)).toBe(claim);
  });
});

describe('deploy/slurm', () => {
  it('the scripts are valid bash', () => {
    expect(sbatchScripts()).toEqual(expect.arrayContaining(['sweep-array.sbatch', 'merge.sbatch']));
    for (const f of sbatchScripts()) {
      const r = spawnSync('bash', ['-n', join(SLURM, f)], { encoding: 'utf8' });
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
  });

  it('the sweep is a job array 0..N-1 with one GPU a task, and --shard takes I/N from Slurm', () => {
    const text = readFileSync(join(SLURM, 'sweep-array.sbatch'), 'utf8');
    expect(text).toMatch(/^#SBATCH --array=0-\d+(%\d+)?$/m);
    expect(text).toMatch(/^#SBATCH --gres=gpu:1$/m);
    const line = slurmSweepLine();
    expect(line).toContain('--shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}"');
    expect(line).toMatch(/--out "[^"]*shard-\$\{SLURM_ARRAY_TASK_ID\}\.jsonl"/);
  });

  it('a task runs shard I of the whole array, with node or through apptainer --nv, and refuses a subset', () => {
    const repo = standInLab();
    const tmp = mkdtempSync(join(tmpdir(), 'protolab-slurm-'));
    // A stand-in apptainer that runs the stand-in lab with the arguments after the image.
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'apptainer'), `#!/bin/sh\necho "apptainer $*" >&2\nwhile [ "$1" != "$PROTOLAB_SIF" ]; do shift; done\nshift\nexec node ${repo}/bin/protolab.mjs "$@"\n`);
    chmodSync(join(bin, 'apptainer'), 0o755);
    const task = (array: Record<string, string>, env: Record<string, string> = {}) => {
      const r = spawnSync('bash', [join(SLURM, 'sweep-array.sbatch')], {
        encoding: 'utf8',
        cwd: tmp,
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: tmp, PROTOLAB_REPO: repo, ...array, ...env },
      });
      return { code: r.status, stderr: r.stderr, out: r.status === 0 ? JSON.parse(r.stdout) : null };
    };
    const whole = { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '15', SLURM_ARRAY_TASK_COUNT: '16' };
    const run = task(whole);
    expect(run.code, run.stderr).toBe(0);
    const args: string[] = run.out.args;
    expect(flagValue(args, '--shard')).toBe('3/16');
    expect(flagValue(args, '--out')).toBe(join(tmp, 'results', 'shard-3.jsonl'));
    expect(run.out.offline).toBe('1'); // the cache was filled beforehand
    const sif = task(whole, { PROTOLAB_SIF: join(tmp, 'protolab.sif') });
    expect(sif.code, sif.stderr).toBe(0);
    expect(sif.stderr).toMatch(/^apptainer run --nv /m);
    expect(sif.out.args).toEqual(args);
    const subset = task({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_COUNT: '2' });
    expect(subset.code).toBe(2);
    expect(subset.stderr).toMatch(/submit the whole array/);
  });

  it('runs the same sweep as the Kubernetes Job', () => {
    const k8s = containersOf(jobs().find((j) => j.file === 'sweep-job.yaml')!.doc)[0].args!;
    const slurm = slurmSweepLine().split(/\s+/);
    expect(new Set(flagsIn(slurm.join(' ')))).toEqual(new Set(flagsIn(k8s.join(' '))));
    for (const flag of ['--source', '--texts', '--seeds']) expect(flagValue(slurm, flag), flag).toBe(flagValue(k8s, flag));
  });
});

describe('protolab flags in deploy/', () => {
  it('are all flags the command line knows (protolab --help)', () => {
    const help = protolab(['--help']);
    expect(help.code, help.stderr).toBe(0);
    const known = new Set(flagsIn(help.stdout));
    const used = new Map<string, string>();
    for (const { file, doc } of jobs()) {
      for (const c of containersOf(doc)) for (const line of protolabLines(c)) for (const f of flagsIn(line.join(' '))) used.set(f, file);
    }
    for (const f of sbatchScripts()) {
      const text = readFileSync(join(SLURM, f), 'utf8');
      for (const m of text.matchAll(/^"\$\{protolab\[@\]\}" (?:.*\\\n)*.*$/gm)) for (const flag of flagsIn(m[0])) used.set(flag, f);
    }
    expect(used.size).toBeGreaterThan(5);
    for (const [flag, file] of used) expect(known.has(flag), `${file} uses ${flag}, which protolab --help does not list`).toBe(true);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
  // Instructions with their continuation lines joined, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('is Node 20 on Debian bookworm with the Vulkan loader, the locked packages and the CLI as its entrypoint', () => {
    const froms = instructions.filter((l) => /^FROM /i.test(l));
    expect(froms.length).toBeGreaterThanOrEqual(1);
    expect(froms.at(-1)).toMatch(/^FROM node:20-bookworm-slim\b/);
    expect(instructions.some((l) => /^RUN .*apt-get install .*\blibvulkan1\b/.test(l))).toBe(true);
    expect(instructions.some((l) => /^RUN .*\bnpm ci\b/.test(l))).toBe(true);
    expect(instructions).toContain('ENTRYPOINT ["protolab"]');
    expect(instructions).toContain('COPY deploy/protolab.sh /usr/local/bin/protolab');
    expect(readFileSync(join(DEPLOY, 'protolab.sh'), 'utf8')).toMatch(/exec node "\$app\/bin\/protolab\.mjs" "\$@"/);
    expect(instructions.find((l) => l.startsWith('ENV '))).toMatch(/NVIDIA_DRIVER_CAPABILITIES=\S*graphics/);
  });

  it('copies only files that exist and that .dockerignore lets into the build', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const l of ['node_modules', 'test-results', 'scratch', '.git']) expect(ignored).toContain(l);
    const copies = instructions.filter((l) => /^COPY /.test(l) && !/--from=/.test(l));
    for (const copy of copies) {
      const sources = copy.split(/\s+/).slice(1, -1).filter((w) => !w.startsWith('--'));
      for (const s of sources.filter((s) => s !== '.')) {
        expect(existsSync(join(REPO_ROOT, s)), `${copy}: ${s}`).toBe(true);
        expect(ignored.includes(s.split('/')[0]), `${s} is in .dockerignore`).toBe(false);
      }
    }
    const icd = JSON.parse(readFileSync(join(DEPLOY, 'nvidia_icd.json'), 'utf8'));
    expect(icd.ICD.library_path).toBe('libGLX_nvidia.so.0');
  });
});

describe('deploy/protolab.sh (the entrypoint) picks the Vulkan driver', () => {
  const home = standInLab();
  const entry = (env: Record<string, string>, args: string[] = ['sweep']) => {
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', PROTOLAB_HOME: home };
    const r = spawnSync('sh', [join(DEPLOY, 'protolab.sh'), ...args], { encoding: 'utf8', env: { ...base, ...env } });
    return { code: r.status, stderr: r.stderr, out: r.status === 0 ? JSON.parse(r.stdout) : null };
  };
  const hostHasNvidia = existsSync('/dev/nvidiactl') || spawnSync('sh', ['-c', 'ldconfig -p | grep -q libGLX_nvidia']).status === 0;

  it('keeps a VK_ICD_FILENAMES it is given, and the arguments as they are', () => {
    const r = entry({ VK_ICD_FILENAMES: '/x/icd.json' }, ['report', "results/shard-*.jsonl", 'a b', '$(X)']);
    expect(r.out).toMatchObject({ icd: '/x/icd.json', args: ['report', 'results/shard-*.jsonl', 'a b', '$(X)'] });
  });

  it.skipIf(hostHasNvidia)('SwiftShader without a GPU; the NVIDIA driver when its library is on LD_LIBRARY_PATH (apptainer --nv)', () => {
    expect(entry({}).out.icd).toBe('/usr/lib/chromium/vk_swiftshader_icd.json');
    const libs = mkdtempSync(join(tmpdir(), 'protolab-nvlibs-'));
    writeFileSync(join(libs, 'libGLX_nvidia.so.0'), '');
    chmodSync(join(libs, 'libGLX_nvidia.so.0'), 0o755);
    const icd = entry({ LD_LIBRARY_PATH: `/nowhere:${libs}` }).out.icd;
    expect(['/usr/share/protolab/nvidia_icd.json', '/etc/vulkan/icd.d/nvidia_icd.json', '/usr/share/vulkan/icd.d/nvidia_icd.json']).toContain(icd);
    expect(entry({ PROTOLAB_VULKAN: 'cpu', LD_LIBRARY_PATH: libs }).out.icd).toBe('/usr/lib/chromium/vk_swiftshader_icd.json');
  });

  it('refuses an unknown PROTOLAB_VULKAN with exit 2', () => {
    const r = entry({ PROTOLAB_VULKAN: 'amd' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PROTOLAB_VULKAN must be auto, nvidia or cpu/);
  });
});
