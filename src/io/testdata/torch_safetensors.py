"""Cross-check embedscape's safetensors files against real PyTorch, without the `safetensors` package.

The format is parsed and written by hand (json + struct + torch.frombuffer), so this script is also an
independent reading of the spec. Used by src/io/safetensors-torch.test.ts (skipped where torch is missing).

  python3 torch_safetensors.py   stdin: {"jobs": [JOB, …]}  →  stdout: {"results": [{"y": [[…]], "keys": […]}, …]}
  JOB {"mode": "load", "file": F, "x": [[…]]}: builds nn.Sequential(Linear, Act, Linear, …) from the file's
      embedscape metadata, load_state_dict(strict=True), returns the float64 outputs on x.
  JOB {"mode": "save", "file": F, "widths": [...], "activation": A, "dtype": "F64"|"F32", "seed": S, "x": [[…]]}:
      builds a seeded nn.Sequential, writes its state_dict to F by hand (no embedscape metadata, like a plain
      PyTorch export) and returns its outputs on x.
One process runs all jobs (importing torch takes seconds).
"""
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {"F64": (torch.float64, 8), "F32": (torch.float32, 4)}


def activation(name):
    if name == "tanh":
        return nn.Tanh()
    if name == "relu":
        return nn.ReLU()
    if name == "leaky-relu":
        return nn.LeakyReLU(0.01)
    if name.startswith("leaky-relu:"):
        return nn.LeakyReLU(float(name.split(":", 1)[1]))
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "softplus":
        return nn.Softplus()
    if name == "gelu":
        return nn.GELU()
    if name == "identity":
        return nn.Identity()
    if name == "hardtanh":
        return nn.Hardtanh()
    raise SystemExit(f"unknown activation {name}")


def sequential(widths, act):
    mods = []
    for i in range(len(widths) - 1):
        if i > 0:
            mods.append(activation(act))
        mods.append(nn.Linear(widths[i], widths[i + 1]))
    return nn.Sequential(*mods).double()


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    buf = bytearray(raw[8 + n :])
    state = {}
    for key, info in header.items():
        dtype, width = DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        t = torch.frombuffer(buf, dtype=dtype, count=(e - b) // width, offset=b) if e > b else torch.empty(0, dtype=dtype)
        state[key] = t.reshape(info["shape"]).clone().double()
    return meta, state


def write_safetensors(path, state, dtype_name):
    dtype, width = DTYPES[dtype_name]
    header, chunks, off = {}, [], 0
    for key, t in state.items():
        data = t.detach().to(dtype).contiguous().numpy().tobytes()  # little-endian on x86/arm
        header[key] = {"dtype": dtype_name, "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        chunks.append(data)
        off += len(data)
    head = json.dumps(header).encode("utf-8")
    head += b" " * ((8 - (8 + len(head)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(chunks))


def run(job):
    x = torch.tensor(job["x"], dtype=torch.float64)
    if job["mode"] == "load":
        meta, state = read_safetensors(job["file"])
        arch = json.loads(meta["embedscape"])
        model = sequential(arch["widths"], arch["activation"])
        model.load_state_dict(state, strict=True)
    elif job["mode"] == "save":
        torch.manual_seed(job["seed"])
        model = sequential(job["widths"], job["activation"])
        if job["dtype"] == "F32":  # round the parameters so the float64 forward pass matches what the file holds
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(p.float().double())
        write_safetensors(job["file"], model.state_dict(), job["dtype"])
    else:
        raise SystemExit(f"unknown mode {job['mode']}")
    with torch.no_grad():
        y = model(x)
    return {"y": y.tolist(), "keys": list(model.state_dict().keys())}


def main():
    jobs = json.load(sys.stdin)["jobs"]
    json.dump({"results": [run(job) for job in jobs]}, sys.stdout)


if __name__ == "__main__":
    main()
