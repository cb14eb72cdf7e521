"""Spectral signature of a code's Tanner graph and the SAP mask library (Cho et al., sections 3.1-3.2).

phi(H) = the K eigenvalues of largest magnitude of A = [[0, H^T], [H, 0]]. A is bipartite, so its eigenvalues
are +-sigma_i (the singular values of H) and zeros: phi = [s1, -s1, s2, -s2, ...][:K], zero-padded (a tie
lambda / -lambda is ordered positive first; the paper leaves the order of ties open).
d = ||phi_A - phi_B||_2, kappa = exp(-beta d). Algorithm 1: reuse the nearest entry's mask when kappa >= tau.

The library is models/<model>/masks.json, format receiver-sap-masks/1 (the receiver reads it too):
  {"format", "teacher", "layers", "heads", "ffn", "signature": {"k", "beta", "tau"}, "flops_reduction",
   "entries": [{"code", "sha256", "n", "m", "source", "signature", "heads": [[0/1] per layer], "ffn": [[0/1] per layer]}]}
"""
import json
import math
import os

import numpy as np

FORMAT = "receiver-sap-masks/1"
K, BETA, TAU = 20, 0.1, 0.5


def signature(H: np.ndarray, k: int = K) -> np.ndarray:
    """(k,) top-k eigenvalues by magnitude of the bipartite adjacency of H."""
    singular = np.linalg.svd(H.astype(np.float64), compute_uv=False)  # descending
    values = np.stack([singular, -singular], axis=1).reshape(-1)[:k]
    phi = np.zeros(k)
    phi[:len(values)] = values
    return phi


def distance(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def kappa(a, b, beta: float = BETA) -> float:
    return math.exp(-beta * distance(a, b))


class Library:
    """The mask library: one entry per code whose structured-pruning mask was derived."""

    def __init__(self, path: str, data: dict):
        self.path, self.data = path, data

    @classmethod
    def load(cls, path: str) -> "Library":
        with open(path) as f:
            data = json.load(f)
        if data.get("format") != FORMAT:
            raise SystemExit(f"{path}: format {data.get('format')!r}, expected {FORMAT}")
        return cls(path, data)

    @classmethod
    def create(cls, path: str, teacher: str, layers: int, heads: int, ffn: int, reduction: float) -> "Library":
        return cls(path, {"format": FORMAT, "teacher": teacher, "layers": layers, "heads": heads, "ffn": ffn,
                          "signature": {"k": K, "beta": BETA, "tau": TAU}, "flops_reduction": reduction,
                          "entries": []})

    @property
    def entries(self) -> list:
        return self.data["entries"]

    def find(self, code_name: str):
        return next((e for e in self.entries if e["code"] == code_name), None)

    def ranked(self, phi) -> list:
        """[(entry, d, kappa)] nearest first."""
        beta = self.data["signature"]["beta"]
        rows = [(e, distance(phi, e["signature"]), kappa(phi, e["signature"], beta)) for e in self.entries]
        return sorted(rows, key=lambda row: row[1])

    def put(self, entry: dict):
        """Adds the entry, replacing one of the same code."""
        self.data["entries"] = [e for e in self.entries if e["code"] != entry["code"]] + [entry]

    def save(self):
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1)
            f.write("\n")
        os.replace(tmp, self.path)
