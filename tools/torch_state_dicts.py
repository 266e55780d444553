"""Fixtures for src/io/torch-state-dicts.test.ts: PyTorch MLP state dicts as researchers save them, with PyTorch's
float64 loss and gradient, so the test (which needs no torch) checks embedscape against PyTorch.

usage: /usr/bin/python3 tools/torch_state_dicts.py [OUT_DIR]     (default tools/fixtures/torch-state-dicts)
       /usr/bin/python3 tools/torch_state_dicts.py check NAME FILE.safetensors DATA.csv [NAME FILE DATA …]
           -> loads each FILE into a fresh model of case NAME with load_state_dict(strict=True) and prints
              {NAME: float64 loss on DATA} (the round-trip check: embedscape saves back with the names it read)

Per case NAME it writes NAME.safetensors (with `safetensors.torch.save_file` when the `safetensors` package is
importable, else the same format by hand: u64 little-endian header length, JSON header, raw little-endian data),
NAME.csv (x1..xd,y1..yk, every float64 written with repr, so it reads back exactly) and NAME.json: the activation
and loss to give embedscape, the keys, and PyTorch's loss R = (1/n)·Σ ℓ and gradient dR/dp for every parameter p
(flattened row-major, named as in the state dict), computed in float64 on `.double()` copies of the stored weights
(F16/BF16/F32 weights are exactly float64 values). The bias=False case adds the gradient for the zero biases
embedscape adds and PyTorch's Hessian of its own parameters.
"""
import json, os, struct, sys
import torch
from torch import nn
import torch.nn.functional as F

try:
    from safetensors.torch import save_file
except ImportError:  # the package is optional: the format is simple
    save_file = None

DT = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def write_safetensors(tensors, path):
    header, blobs, off = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous()
        b = t.flatten().view(torch.uint8).numpy().tobytes()
        header[key] = {"dtype": DT[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    inv = {v: k for k, v in DT.items()}
    out = {}
    for key, t in header.items():
        a, b = t["data_offsets"]
        out[key] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=inv[t["dtype"]]).reshape(t["shape"]).clone()
    return out


class FcNet(nn.Module):  # keys fc1.weight, fc1.bias, fc2.…, fc3.…
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(3, 6), nn.Linear(6, 4), nn.Linear(4, 2)

    def forward(self, x):
        return self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


class ListNet(nn.Module):  # nn.ModuleList: layers.0 … layers.10 (natural order: layers.2 before layers.10)
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 3)] + [nn.Linear(3, 3) for _ in range(9)] + [nn.Linear(3, 1)])

    def forward(self, x):
        for i, l in enumerate(self.layers):
            x = l(x) if i == len(self.layers) - 1 else torch.tanh(l(x))
        return x


class SeqAttrNet(nn.Module):  # an nn.Sequential attribute: layers.0, layers.2, layers.4
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(2, 6), nn.GELU(), nn.Linear(6, 6), nn.GELU(), nn.Linear(6, 1))

    def forward(self, x):
        return self.layers(x)


class PrefixNet(nn.Module):  # a prefix: net.0.weight, net.2.weight (a classifier, cross-entropy)
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.net(x)


CASES = {
    # name: (model factory, dtype, embedscape activation, loss, input shape of one sample)
    "fc-names": (FcNet, torch.float64, "tanh", "mse", (3,)),
    "modulelist": (ListNet, torch.float64, "tanh", "mse", (2,)),
    "sequential-attr": (SeqAttrNet, torch.float64, "gelu", "mse", (2,)),
    "prefix": (PrefixNet, torch.float64, "relu", "cross-entropy", (4,)),
    "flatten": (lambda: nn.Sequential(nn.Flatten(), nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)), torch.float64, "tanh", "mse", (2, 2)),
    "bias-false": (lambda: nn.Sequential(nn.Linear(2, 4, bias=False), nn.Tanh(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1, bias=False)), torch.float64, "tanh", "mse", (2,)),
    "f16": (lambda: nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1)), torch.float16, "tanh", "mse", (2,)),
    "bf16": (lambda: nn.Sequential(nn.Linear(2, 5), nn.Sigmoid(), nn.Linear(5, 1)), torch.bfloat16, "sigmoid", "mse", (2,)),
    "f32": (lambda: nn.Sequential(nn.Linear(3, 4), nn.Softplus(), nn.Linear(4, 2)), torch.float32, "softplus", "mse", (3,)),
}
N = 7


def loss_of(out, y, loss):
    if loss == "mse":
        return 0.5 * ((out - y) ** 2).sum(1).mean()
    return -(y * F.log_softmax(out, dim=1)).sum(1).mean()


def with_zero_biases(model):
    """The net embedscape reads from a model with bias=False layers: the same, with b = 0 as a parameter."""
    layers = []
    for m in model:
        if isinstance(m, nn.Linear) and m.bias is None:
            l = nn.Linear(m.in_features, m.out_features, dtype=torch.float64)
            with torch.no_grad():
                l.weight.copy_(m.weight)
                l.bias.zero_()
            layers.append(l)
        else:
            layers.append(m)
    return nn.Sequential(*layers)


def make_case(name, out_dir):
    factory, dtype, act, loss, shape = CASES[name]
    torch.manual_seed(sorted(CASES).index(name))
    model = factory().to(dtype)
    sd = model.state_dict()
    path = os.path.join(out_dir, name + ".safetensors")
    (save_file or write_safetensors)(sd, path)
    ref = factory().double()
    ref.load_state_dict({k: v.double() for k, v in sd.items()}, strict=True)  # the stored values, exactly
    g = torch.Generator().manual_seed(100 + sorted(CASES).index(name))
    x = torch.randn((N,) + shape, dtype=torch.float64, generator=g)
    k = ref(x).shape[1]
    if loss == "mse":
        y = torch.randn(N, k, dtype=torch.float64, generator=g)
    else:
        y = F.one_hot(torch.randint(0, k, (N,), generator=g), k).double()
    xf = x.reshape(N, -1)
    cols = [f"x{j + 1}" for j in range(xf.shape[1])] + [f"y{j + 1}" for j in range(k)]
    with open(os.path.join(out_dir, name + ".csv"), "w") as f:
        f.write(",".join(cols) + "\n")
        for i in range(N):
            f.write(",".join(repr(v) for v in xf[i].tolist() + y[i].tolist()) + "\n")
    R = loss_of(ref(x), y, loss)
    ref.zero_grad()
    R.backward()
    out = {
        "pytorch": torch.__version__, "writer": "safetensors.torch.save_file" if save_file else "hand-written safetensors",
        "activation": act, "loss": loss, "dtype": DT[dtype], "keys": list(sd.keys()),
        "R": R.item(), "gradient": {n: p.grad.flatten().tolist() for n, p in ref.named_parameters()},
    }
    if name == "bias-false":
        full = with_zero_biases(ref)
        full.zero_grad()
        loss_of(full(x), y, loss).backward()
        out["addedBiasGradient"] = {str(i): m.bias.grad.tolist() for i, m in enumerate(full) if isinstance(m, nn.Linear) and ref[i].bias is None}
        names = [n for n, _ in ref.named_parameters()]
        shapes = [p.shape for _, p in ref.named_parameters()]
        theta0 = torch.cat([p.detach().flatten() for _, p in ref.named_parameters()])

        def R_of(theta):
            params, o = {}, 0
            for n_, s in zip(names, shapes):
                c = s.numel()
                params[n_] = theta[o:o + c].reshape(s)
                o += c
            return loss_of(torch.nn.utils.stateless.functional_call(ref, params, (x,)), y, loss)

        H = torch.autograd.functional.hessian(R_of, theta0)
        out["hessian"] = {"names": names, "P": theta0.numel(), "matrix": H.flatten().tolist()}
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if len(sys.argv) > 1 and sys.argv[1] == "check":
    results = {}
    for name, path, data in zip(sys.argv[2::3], sys.argv[3::3], sys.argv[4::3]):
        factory, _, _, loss, shape = CASES[name]
        model = factory().double()
        model.load_state_dict(read_safetensors(path), strict=True)  # raises on a missing or unexpected key
        lines = [l for l in open(data).read().split("\n") if l]
        d = sum(1 for h in lines[0].split(",") if h.startswith("x"))
        t = torch.tensor([list(map(float, l.split(","))) for l in lines[1:]], dtype=torch.float64)
        with torch.no_grad():
            results[name] = loss_of(model(t[:, :d].reshape((-1,) + shape)), t[:, d:], loss).item()
    print(json.dumps(results))
else:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "torch-state-dicts")
    os.makedirs(out_dir, exist_ok=True)
    for name in CASES:
        make_case(name, out_dir)
    print(f"wrote {len(CASES)} cases to {out_dir} ({'safetensors.torch.save_file' if save_file else 'hand-written safetensors'})")
