"""Test fixture: a hand-written safetensors reader/writer (json + struct + torch.frombuffer; the `safetensors`
package is not needed) used to cross-check embedscape's files against a real PyTorch nn.Sequential.

usage: torch_safetensors.py load X.json NET.safetensors... -> prints a JSON list: per net, the outputs of the loaded
                                                             nn.Sequential on the inputs X
       torch_safetensors.py save OUT.safetensors          -> writes a seeded nn.Sequential(Linear(2,3), Tanh, Linear(3,1))
                                                             (F32 or F64 per argv[3]) and prints its outputs on a grid
"""
import json, struct, sys
import torch
from torch import nn

DT = {"F64": torch.float64, "F32": torch.float32}


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    out = {}
    for key, t in header.items():
        a, b = t["data_offsets"]
        out[key] = torch.frombuffer(bytearray(data[a:b]), dtype=DT[t["dtype"]]).reshape(t["shape"]).clone()
    return out, meta


def write_safetensors(path, tensors, meta):
    header, blobs, off = {"__metadata__": meta}, [], 0
    for key, t in tensors.items():
        b = t.detach().contiguous().numpy().tobytes()
        header[key] = {"dtype": {torch.float64: "F64", torch.float32: "F32"}[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def act_module(name):
    if name.startswith("leaky-relu"):
        return nn.LeakyReLU(float(name.split(":")[1]) if ":" in name else 0.01)
    return {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity,
            "softplus": nn.Softplus, "gelu": nn.GELU, "hardtanh": nn.Hardtanh}[name]()


if sys.argv[1] == "load":
    x = torch.tensor(json.load(open(sys.argv[2])), dtype=torch.float64)
    results = []
    for path in sys.argv[3:]:
        sd, meta = read_safetensors(path)
        arch = json.loads(meta["embedscape"])
        w = arch["widths"]
        mods = []
        for i in range(len(w) - 1):
            mods.append(nn.Linear(w[i], w[i + 1], dtype=torch.float64))
            if i < len(w) - 2:
                mods.append(act_module(arch["activation"]))
        model = nn.Sequential(*mods)
        model.load_state_dict(sd, strict=True)  # raises on missing/unexpected keys or wrong shapes
        with torch.no_grad():
            results.append(model(x).tolist())
    print(json.dumps(results))
else:
    torch.manual_seed(0)
    dtype = DT[sys.argv[3]]
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).to(dtype)
    write_safetensors(sys.argv[2], model.state_dict(), {"format": "pt"})
    x = torch.tensor([[-1.0, 0.5], [0.0, 0.0], [2.0, -0.3]], dtype=dtype)
    with torch.no_grad():
        print(json.dumps({"x": x.double().tolist(), "y": model(x).double().tolist()}))
