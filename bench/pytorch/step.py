"""The proto-token optimisation step in PyTorch on the CPU: the other side of issue 6's comparison.

One step is what the lab's trainer does (src/prototokens/trainer.ts): the frozen model is fed
Z = [e, m x (N-1)] as input embeddings, the summed cross-entropy of its N outputs against the
target ids is backpropagated to e and m only, and AdamW (lr 0.01, betas 0.9/0.9, wd 0.01) updates
the two vectors. fp32, no autocast, as many threads as cores.

Threads: torch runs its own intra-op threads (one per core) and OpenBLAS, unless told otherwise,
starts its own pool of the same size inside them, so 2 cores carried up to 4 busy threads. Measured
here (stories260k, three runs each): N = 128 took 58-60 ms that way and 25-32 ms with OpenBLAS on
one thread per caller; N = 256 184-297 ms against 33-64 ms. So this script sets
OPENBLAS_NUM_THREADS=1 before torch loads, unless the caller set it (runs record the value).
For the large shapes neither setting wins everywhere (single steps: OpenBLAS's pool was faster
for Llama-3.2-1B shaped at N = 128, 6.5 s against 9.9 s, and slower at N = 512, 53 s against
41 s), so time them both ways:
  OPENBLAS_NUM_THREADS=2 python3 bench/pytorch/step.py --shape ... --save
The benchmark compares with PyTorch's fastest run per size (bench/targets.ts, fastestPytorch).

The models are written out here (GPT-NeoX and Llama, the Hugging Face modelling code's math in
eager form) because `transformers` is not installable on these machines; `--check` proves them
against a fixture's float64 golden proto-token loss and gradients before anything is timed.

  python3 bench/pytorch/step.py --model assets/fixtures/gpt-neox-tiny --check
  python3 bench/pytorch/step.py --model assets/models/stories260k --n 16,32,64,128,256
  python3 bench/pytorch/step.py --shape pythia-160m-shaped --n 128,512      # random weights
  ... [--budget SECONDS] [--save]   (--save appends to bench/results/pytorch-cpu.json)

Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread; run it with
/usr/bin/python3 where another Python comes first on PATH). Without OpenBLAS, Debian's torch uses
the reference BLAS and its large matmuls are about 10x slower, which flatters the lab in every
comparison: timing refuses to run on it (exit 2) unless --allow-reference-blas is given. `--shape` reads the configs of
bench/model-shapes.ts through npx tsx, so both sides time exactly the same shapes.
"""

import argparse
import datetime
import json
import math
import os
import platform
import struct
import subprocess
import sys
import time

# Before torch loads OpenBLAS (see the module docstring).
OPENBLAS_THREADS = os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))


class UsageError(Exception):
    """A model or option this script cannot use; main() prints it and the process exits with 2."""


# ---- weights -------------------------------------------------------------------------------

def read_safetensors(path):
    """name -> float32 tensor (F32, F16 and BF16 as stored, upcast)."""
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == '__metadata__':
            continue
        a, b = meta['data_offsets']
        raw = data[a:b]
        if meta['dtype'] == 'F32':
            arr = np.frombuffer(raw, dtype='<f4')
        elif meta['dtype'] == 'F16':
            arr = np.frombuffer(raw, dtype='<f2').astype(np.float32)
        elif meta['dtype'] == 'BF16':
            arr = (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            raise UsageError(f'{path}: tensor {name} has dtype {meta["dtype"]}; only F32, F16 and BF16 are read')
        out[name] = torch.from_numpy(arr.copy()).reshape(meta['shape'])
    return out


def random_weights(cfg, seed=0):
    """Weights of the config's shapes, N(0, 0.02) (norm weights 1): the timing does not depend on them."""
    g = torch.Generator().manual_seed(seed)
    h, inter, layers, vocab = cfg['hidden_size'], cfg['intermediate_size'], cfg['num_hidden_layers'], cfg['vocab_size']
    w = {}

    def rnd(name, *shape):
        w[name] = torch.randn(*shape, generator=g) * 0.02

    if cfg['model_type'] == 'gpt_neox':
        for i in range(layers):
            p = f'gpt_neox.layers.{i}.'
            for ln in ('input_layernorm', 'post_attention_layernorm'):
                w[p + ln + '.weight'] = torch.ones(h)
                w[p + ln + '.bias'] = torch.zeros(h)
            rnd(p + 'attention.query_key_value.weight', 3 * h, h)
            w[p + 'attention.query_key_value.bias'] = torch.zeros(3 * h)
            rnd(p + 'attention.dense.weight', h, h)
            w[p + 'attention.dense.bias'] = torch.zeros(h)
            rnd(p + 'mlp.dense_h_to_4h.weight', inter, h)
            w[p + 'mlp.dense_h_to_4h.bias'] = torch.zeros(inter)
            rnd(p + 'mlp.dense_4h_to_h.weight', h, inter)
            w[p + 'mlp.dense_4h_to_h.bias'] = torch.zeros(h)
        w['gpt_neox.final_layer_norm.weight'] = torch.ones(h)
        w['gpt_neox.final_layer_norm.bias'] = torch.zeros(h)
        rnd('embed_out.weight', vocab, h)
    else:
        heads = cfg['num_attention_heads']
        kv = cfg.get('num_key_value_heads', heads)
        hd = cfg.get('head_dim', h // heads)
        for i in range(layers):
            p = f'model.layers.{i}.'
            w[p + 'input_layernorm.weight'] = torch.ones(h)
            w[p + 'post_attention_layernorm.weight'] = torch.ones(h)
            rnd(p + 'self_attn.q_proj.weight', heads * hd, h)
            rnd(p + 'self_attn.k_proj.weight', kv * hd, h)
            rnd(p + 'self_attn.v_proj.weight', kv * hd, h)
            rnd(p + 'self_attn.o_proj.weight', h, heads * hd)
            rnd(p + 'mlp.gate_proj.weight', inter, h)
            rnd(p + 'mlp.up_proj.weight', inter, h)
            rnd(p + 'mlp.down_proj.weight', h, inter)
        w['model.norm.weight'] = torch.ones(h)
        rnd('model.embed_tokens.weight', vocab, h)
    return w


# ---- models (eager forms of the Hugging Face modelling code) --------------------------------

def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def rope_tables(inv_freq, n, dtype):
    t = torch.arange(n, dtype=torch.float64)
    freqs = torch.outer(t, inv_freq.to(torch.float64))
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def llama3_inv_freq(inv_freq, s):
    """rope_scaling {rope_type: llama3} as in transformers' _compute_llama3_parameters."""
    factor, low, high, orig = s['factor'], s['low_freq_factor'], s['high_freq_factor'], s['original_max_position_embeddings']
    low_wl, high_wl = orig / low, orig / high
    wl = 2 * math.pi / inv_freq
    scaled = torch.where(wl > low_wl, inv_freq / factor, inv_freq)
    smooth = (orig / wl - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wl >= high_wl) & (wl <= low_wl)
    return torch.where(medium, smoothed, scaled)


def causal_attention(q, k, v):
    """q [H, N, d], k/v [H, N, d]: softmax(q kᵀ / sqrt(d) + causal mask) v."""
    n, d = q.shape[1], q.shape[2]
    s = q @ k.transpose(1, 2) / math.sqrt(d)
    mask = torch.ones(n, n, dtype=torch.bool).triu(1)
    s = s.masked_fill(mask, float('-inf'))
    return torch.softmax(s, dim=-1) @ v


class NeoX:
    def __init__(self, cfg, w, dtype):
        self.cfg, self.w = cfg, {k: v.to(dtype) for k, v in w.items()}
        self.h = cfg['hidden_size']
        self.heads = cfg['num_attention_heads']
        self.hd = self.h // self.heads
        self.rot = int(self.hd * cfg.get('rotary_pct', 1.0))
        self.inv_freq = 1.0 / (cfg.get('rotary_emb_base', 10000) ** (torch.arange(0, self.rot, 2, dtype=torch.float64) / self.rot))
        self.dtype = dtype

    def ln(self, x, name):
        return F.layer_norm(x, (self.h,), self.w[name + '.weight'], self.w[name + '.bias'], self.cfg['layer_norm_eps'])

    def lin(self, x, name, bias=True):
        return F.linear(x, self.w[name + '.weight'], self.w[name + '.bias'] if bias else None)

    def attention(self, x, p, cos, sin):
        n = x.shape[0]
        qkv = self.lin(x, p + 'attention.query_key_value').view(n, self.heads, 3 * self.hd).transpose(0, 1)
        q, k, v = qkv.split(self.hd, dim=-1)
        r = self.rot
        q = torch.cat((q[..., :r] * cos + rotate_half(q[..., :r]) * sin, q[..., r:]), dim=-1)
        k = torch.cat((k[..., :r] * cos + rotate_half(k[..., :r]) * sin, k[..., r:]), dim=-1)
        o = causal_attention(q, k, v).transpose(0, 1).reshape(n, self.h)
        return self.lin(o, p + 'attention.dense')

    def mlp(self, x, p):
        return self.lin(F.gelu(self.lin(x, p + 'mlp.dense_h_to_4h')), p + 'mlp.dense_4h_to_h')

    def logits(self, z):
        cos, sin = rope_tables(self.inv_freq, z.shape[0], self.dtype)
        x = z
        for i in range(self.cfg['num_hidden_layers']):
            p = f'gpt_neox.layers.{i}.'
            a = self.attention(self.ln(x, p + 'input_layernorm'), p, cos, sin)
            if self.cfg.get('use_parallel_residual', True):
                x = x + a + self.mlp(self.ln(x, p + 'post_attention_layernorm'), p)
            else:
                x = x + a
                x = x + self.mlp(self.ln(x, p + 'post_attention_layernorm'), p)
        return F.linear(self.ln(x, 'gpt_neox.final_layer_norm'), self.w['embed_out.weight'])


class Llama:
    def __init__(self, cfg, w, dtype):
        self.cfg, self.w = cfg, {k: v.to(dtype) for k, v in w.items()}
        self.h = cfg['hidden_size']
        self.heads = cfg['num_attention_heads']
        self.kv = cfg.get('num_key_value_heads', self.heads)
        self.hd = cfg.get('head_dim', self.h // self.heads)
        inv = 1.0 / (cfg.get('rope_theta', 10000.0) ** (torch.arange(0, self.hd, 2, dtype=torch.float64) / self.hd))
        scaling = cfg.get('rope_scaling')
        if scaling and scaling.get('rope_type', scaling.get('type')) == 'llama3':
            inv = llama3_inv_freq(inv, scaling)
        self.inv_freq = inv
        self.head = self.w['lm_head.weight'] if 'lm_head.weight' in self.w else self.w['model.embed_tokens.weight']
        self.dtype = dtype

    def norm(self, x, name):
        v = x.pow(2).mean(-1, keepdim=True)
        return x * torch.rsqrt(v + self.cfg['rms_norm_eps']) * self.w[name + '.weight']

    def attention(self, x, p, cos, sin):
        n = x.shape[0]
        q = F.linear(x, self.w[p + 'self_attn.q_proj.weight']).view(n, self.heads, self.hd).transpose(0, 1)
        k = F.linear(x, self.w[p + 'self_attn.k_proj.weight']).view(n, self.kv, self.hd).transpose(0, 1)
        v = F.linear(x, self.w[p + 'self_attn.v_proj.weight']).view(n, self.kv, self.hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv
        k = k.repeat_interleave(rep, dim=0)
        v = v.repeat_interleave(rep, dim=0)
        o = causal_attention(q, k, v).transpose(0, 1).reshape(n, self.heads * self.hd)
        return F.linear(o, self.w[p + 'self_attn.o_proj.weight'])

    def mlp(self, x, p):
        g = F.linear(x, self.w[p + 'mlp.gate_proj.weight'])
        u = F.linear(x, self.w[p + 'mlp.up_proj.weight'])
        return F.linear(F.silu(g) * u, self.w[p + 'mlp.down_proj.weight'])

    def logits(self, z):
        cos, sin = rope_tables(self.inv_freq, z.shape[0], self.dtype)
        x = z
        for i in range(self.cfg['num_hidden_layers']):
            p = f'model.layers.{i}.'
            x = x + self.attention(self.norm(x, p + 'input_layernorm'), p, cos, sin)
            x = x + self.mlp(self.norm(x, p + 'post_attention_layernorm'), p)
        return F.linear(self.norm(x, 'model.norm'), self.head)


def build(cfg, w, dtype):
    if cfg['model_type'] == 'gpt_neox':
        return NeoX(cfg, w, dtype)
    if cfg['model_type'] == 'llama':
        return Llama(cfg, w, dtype)
    raise UsageError(f'model_type {cfg["model_type"]!r}: only gpt_neox and llama are written here')


def proto_loss(model, e, m, targets):
    n = len(targets)
    z = torch.cat((e.unsqueeze(0), m.unsqueeze(0).expand(n - 1, -1)), dim=0)
    return F.cross_entropy(model.logits(z), targets, reduction='sum')


# ---- the two jobs --------------------------------------------------------------------------

def check(model_dir, cfg):
    """Float64 proto-token loss and gradients against the fixture's golden values."""
    gold = json.load(open(os.path.join(model_dir, 'golden.json')))['prototoken']
    model = build(cfg, read_safetensors(os.path.join(model_dir, 'model.safetensors')), torch.float64)
    e = torch.tensor(gold['e'], dtype=torch.float64, requires_grad=True)
    m = torch.tensor(gold['m'], dtype=torch.float64, requires_grad=True)
    loss = proto_loss(model, e, m, torch.tensor(gold['target_ids']))
    loss.backward()
    rel = lambda got, want: float((got - torch.tensor(want, dtype=torch.float64)).abs().max() / torch.tensor(want, dtype=torch.float64).abs().max())
    errs = {'loss': abs(loss.item() - gold['loss_sum']) / abs(gold['loss_sum']), 'grad_e': rel(e.grad, gold['grad_e']), 'grad_m': rel(m.grad, gold['grad_m'])}
    ok = all(v < 1e-9 for v in errs.values())
    print(json.dumps({'check': model_dir, 'relative_errors': errs, 'ok': ok}))
    return ok


def time_steps(model, cfg, n, budget_s, seed=0):
    g = torch.Generator().manual_seed(seed)
    h = cfg['hidden_size']
    targets = torch.randint(0, cfg['vocab_size'], (n,), generator=g)
    e = torch.randn(h, generator=g).requires_grad_()
    m = torch.randn(h, generator=g).requires_grad_()
    opt = torch.optim.AdamW([e, m], lr=0.01, betas=(0.9, 0.9), eps=1e-8, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        proto_loss(model, e, m, targets).backward()
        opt.step()

    t0 = time.perf_counter()
    step()  # warm-up (allocator, thread pool)
    first = time.perf_counter() - t0
    steps = max(1, min(50, int(budget_s / max(first, 1e-3))))
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return {'N': n, 'ms_per_step': round((time.perf_counter() - t0) / steps * 1000, 2), 'steps': steps}


def blas_in_use():
    """The BLAS library this process mapped (Debian's torch uses whatever libblas.so.3 points to)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.split()[-1]}
    except OSError:
        return 'unknown'
    return ', '.join(sorted(libs)) or 'none mapped'


def reference_blas_problem(blas):
    """Why timing would flatter the lab, given blas_in_use()'s answer: None unless the netlib reference BLAS is mapped.

    Debian's torch calls whatever libblas.so.3 resolves to: /usr/lib/<arch>/blas/libblas.so.3 (the
    reference, no libopenblas0-pthread) or /usr/lib/<arch>/openblas-pthread/libblas.so.3. Wheels that
    link their BLAS statically map none, and are fine.
    """
    reference = [lib for lib in blas.split(', ') if '/blas/libblas.so' in lib]
    if not reference:
        return None
    return (f'PyTorch multiplies with the reference BLAS ({reference[0]}), so its times would be about 10x too slow: '
            'apt-get install libopenblas0-pthread, or pass --allow-reference-blas to time it anyway')


def cpu_model():
    """The CPU's model name as Node's os.cpus() reports it, so the benchmark can match runs to machines."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def big_configs():
    code = "import { BIG_MODELS } from './bench/model-shapes.ts'; console.log(JSON.stringify(BIG_MODELS));"
    out = subprocess.run(['npx', 'tsx', '-e', code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return {m['name']: m['config'] for m in json.loads(out.strip().splitlines()[-1])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--model', help='a Hugging Face model folder (config.json, model.safetensors)')
    src.add_argument('--shape', help='a random-weight model of bench/model-shapes.ts (pythia-160m-shaped, llama-3.2-1b-shaped)')
    ap.add_argument('--n', default='16,64,256', help='text lengths, comma-separated')
    ap.add_argument('--check', action='store_true', help="only compare with the folder's golden.json (float64)")
    ap.add_argument('--budget', type=float, default=5.0, help='seconds of timed steps per N (at least one step)')
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--save', action='store_true', help='append the run to bench/results/pytorch-cpu.json')
    ap.add_argument('--allow-reference-blas', action='store_true', help='time even without an optimised BLAS (the times flatter the lab)')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if not a.check and not a.allow_reference_blas:
        problem = reference_blas_problem(blas_in_use())
        if problem:
            raise UsageError(problem)

    if a.model:
        cfg = json.load(open(os.path.join(a.model, 'config.json')))
        if a.check:
            return 0 if check(a.model, cfg) else 1
        weights = read_safetensors(os.path.join(a.model, 'model.safetensors'))
        name = os.path.basename(os.path.normpath(a.model))
        if os.path.basename(os.path.dirname(os.path.normpath(a.model))) == 'fixtures':
            name = 'fixtures-' + name
    else:
        configs = big_configs()
        if a.shape not in configs:
            raise UsageError(f'--shape {a.shape}: not one of {", ".join(configs)}')
        cfg, name = configs[a.shape], a.shape
        weights = random_weights(cfg)
    model = build(cfg, weights, torch.float32)
    del weights
    rows = []
    for n in (int(x) for x in a.n.split(',')):
        r = time_steps(model, cfg, n, a.budget)
        rows.append(r)
        print(json.dumps({'model': name, **r}), flush=True)

    if a.save:
        path = os.path.join(REPO, 'bench', 'results', 'pytorch-cpu.json')
        hist = json.load(open(path)) if os.path.exists(path) else {'runs': []}
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO, capture_output=True, text=True).stdout.strip()
        hist['runs'].append({
            'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
            'commit': commit,
            'model': name,
            'torch': torch.__version__,
            'threads': a.threads,
            'openblas_threads': OPENBLAS_THREADS,
            'blas': blas_in_use(),
            'host': {'cpu': cpu_model(), 'cores': os.cpu_count(), 'loadavg': os.getloadavg()},
            'results': rows,
        })
        with open(path, 'w') as f:
            json.dump(hist, f, indent=1)
            f.write('\n')
    return 0


if __name__ == '__main__':
    try:
        status = main()
    except UsageError as e:
        print(f'step.py: {e}', file=sys.stderr)
        status = 2
    # The process's exit status for the shell (0 timed or checked, 1 check failed, 2 bad input).
    sys.exit(status)
