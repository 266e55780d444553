"""PyTorch reference for `embedscape hessian --json` as a whole process (bench/run.ts, case `cmd_hessian_*`).

Usage: ref_hessian.py NET.json DATA.csv [THREADS]

Reads the same embedscape net file (θ in W, b per layer order, W row-major out×in — nn.Linear's layout) and
the same CSV (columns x1..xd, y1..yk) the command reads, and computes what the command computes, in float64:
R(θ) = (1/n) Σ_i ½‖f(x_i) − y_i‖² (embedscape's MSE, SPEC §1.1 — not torch's MSELoss mean), the dense Hessian
with PyTorch's fastest builder on this machine (M cached double-backward HVPs, as bench_hessian.py measured),
all eigenvalues by torch.linalg.eigvalsh, and the inertia with the command's default zero tolerance
τ = 100·‖H‖₂·M·ε (|λ| ≤ τ counted as zero). Prints one JSON line.
Based on /work/wt/notes/oracle-bench/ref_hessian.py (which used ../shared/bench/nets.py's nets and MSELoss).
"""
import json
import sys
import time

t_start = time.perf_counter()
import torch  # noqa: E402  (import time is part of the whole process on both sides)

torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
net = json.load(open(sys.argv[1]))
arch = net["arch"]
if arch["loss"] not in ("mse", "MSE") or arch["activation"] != "tanh":
    raise SystemExit("ref_hessian.py: only tanh nets with the MSE loss")
sizes = arch["widths"]
theta0 = torch.tensor(net["theta"], dtype=torch.float64)
with open(sys.argv[2]) as f:
    header = f.readline().strip().split(",")
    rows = [[float(v) for v in line.split(",")] for line in f if line.strip()]
D = torch.tensor(rows, dtype=torch.float64)
d, k = sizes[0], sizes[-1]
assert header[:d] == [f"x{i + 1}" for i in range(d)] and len(header) == d + k
X, Y = D[:, :d].contiguous(), D[:, d:].contiguous()
n = X.shape[0]
L = len(sizes) - 1


def loss(theta):
    h, o = X, 0
    for i in range(L):
        fi, fo = sizes[i], sizes[i + 1]
        W = theta[o:o + fo * fi].view(fo, fi)
        o += fo * fi
        b = theta[o:o + fo]
        o += fo
        h = torch.addmm(b, h, W.t())
        if i < L - 1:
            h = torch.tanh(h)
    return 0.5 * ((h - Y) ** 2).sum() / n


M = theta0.numel()
th = theta0.clone().requires_grad_(True)
t0 = time.perf_counter()
R = loss(th)
gr = torch.autograd.grad(R, th, create_graph=True)[0]
H = torch.empty(M, M, dtype=torch.float64)
for i in range(M):
    H[i] = torch.autograd.grad(gr[i], th, retain_graph=True)[0]
t1 = time.perf_counter()
w = torch.linalg.eigvalsh((H + H.t()) / 2)
t2 = time.perf_counter()
norm = w.abs().max().item()
tol = 100 * norm * M * 2.0 ** -52
print(json.dumps(dict(
    M=M, n=n, loss=R.item(), gradNorm=gr.detach().norm().item(), neg=int((w < -tol).sum()), zero=int((w.abs() <= tol).sum()),
    pos=int((w > tol).sum()), tolerance=tol, norm=norm, lambdaMin=w[0].item(), lambdaMax=w[-1].item(),
    buildS=t1 - t0, eigvalshS=t2 - t1, threads=torch.get_num_threads(), torch=torch.__version__,
    # the smallest |λ| outside [−τ, τ] and the largest inside: how far the counts are from hinging on τ
    largestZero=w.abs()[w.abs() <= tol].max().item() if int((w.abs() <= tol).sum()) else None,
    smallestNonzero=w.abs()[w.abs() > tol].min().item() if int((w.abs() > tol).sum()) else None,
)))
