"""Parity-check matrices from the receiver's code files (same formats as src/Receiver.Codes).

*.alist: MacKay alist; line 1 `n m`, line 2 max weights, lines 3-4 column/row weights,
then n column lines of 1-based row indices (0 = padding); H is built from those, and the m row
lines that may follow must agree with them.
*.txt: dense 0/1 rows of H; blank lines and `#` comments skipped.
k comes from a `{TYPE}_N{n}_K{k}` name, else n - rank(H) over GF(2).
A `<stem>.json` beside the file (written by `./receiver codes export`, e.g. for nr:224,256) describes a
punctured/shortened code whose file is its decoding graph: the code's name, k, the transmitted graph columns
(rate = k / transmitted) and the known-zero filler columns.
"""
import json
import os
import re
from dataclasses import dataclass

import numpy as np

CODES_DIR = os.environ.get(
    "RECEIVER_CODES_DIR",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "codes"))


@dataclass
class Code:
    name: str        # file stem, e.g. LDPC_N49_K24
    path: str        # file the matrix was read from
    H: np.ndarray    # (m, n) uint8 parity-check matrix; may hold redundant rows
    k: int           # nominal dimension (from the name), used for the rate in Eb/N0
    transmitted: np.ndarray = None  # graph column of each transmitted bit; None: all n, in order
    known_zero: np.ndarray = None   # graph columns of known-zero (filler) bits

    @property
    def n(self) -> int:
        return self.H.shape[1]

    @property
    def m(self) -> int:
        return self.H.shape[0]

    @property
    def rate(self) -> float:
        return self.k / (self.n if self.transmitted is None else len(self.transmitted))


def _numbers(path):
    """Yields one list of ints per non-blank, non-comment line."""
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield [int(t) for t in line.split()]


def read_alist(path) -> np.ndarray:
    lines = list(_numbers(path))
    n, m = lines[0][:2]
    column_lines = lines[4:4 + n]
    if len(column_lines) != n:
        raise ValueError(f"{path}: expected {n} column lines, found {len(column_lines)}")
    H = np.zeros((m, n), dtype=np.uint8)
    for col, rows in enumerate(column_lines):
        for row in rows:
            if row == 0:  # padding
                continue
            if not 1 <= row <= m:
                raise ValueError(f"{path}: column {col + 1} names row {row}, outside 1..{m}")
            H[row - 1, col] = 1
    row_lines = lines[4 + n:4 + n + m]
    for row, cols in enumerate(row_lines):
        if sorted(c - 1 for c in cols if c != 0) != list(np.nonzero(H[row])[0]):
            raise ValueError(f"{path}: row line {row + 1} disagrees with the column lines")
    return H


def read_dense(path) -> np.ndarray:
    rows = list(_numbers(path))
    if len({len(r) for r in rows}) != 1:
        raise ValueError(f"{path}: rows of different lengths")
    H = np.array(rows, dtype=np.uint8)
    if H.max() > 1:
        raise ValueError(f"{path}: entries must be 0 or 1")
    return H


def rref(H: np.ndarray):
    """(A, pivots): the reduced row echelon form of H over GF(2) (rank rows) and its pivot columns."""
    A, pivots, row = H.copy() % 2, [], 0
    for col in range(A.shape[1]):
        if row == A.shape[0]:
            break
        hits = np.nonzero(A[row:, col])[0]
        if len(hits) == 0:
            continue
        A[[row, row + hits[0]]] = A[[row + hits[0], row]]
        others = np.nonzero(A[:, col])[0]
        A[others[others != row]] ^= A[row]
        pivots.append(col)
        row += 1
    return A[:row], pivots


def gf2_rank(H: np.ndarray) -> int:
    return len(rref(H)[1])


def resolve(spec: str) -> str:
    """A path, or a bundled name with or without extension (e.g. LDPC_N49_K24)."""
    if os.path.isfile(spec):
        return spec
    for ext in ("", ".alist", ".txt"):
        candidate = os.path.join(CODES_DIR, spec + ext)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(f"code '{spec}' is neither a file nor a bundled name in {CODES_DIR}")


def load_code(spec: str) -> Code:
    path = resolve(spec)
    H = read_alist(path) if path.endswith(".alist") else read_dense(path)
    name = os.path.splitext(os.path.basename(path))[0]
    sidecar = os.path.splitext(path)[0] + ".json"
    if os.path.isfile(sidecar):
        with open(sidecar) as f:
            graph = json.load(f)
        if graph.get("graph_columns", H.shape[1]) != H.shape[1]:
            raise ValueError(f"{sidecar}: graph_columns {graph['graph_columns']}, {path} has {H.shape[1]} columns")
        return Code(name=graph["code"], path=path, H=H, k=int(graph["k"]),
                    transmitted=np.asarray(graph["transmitted_columns"], dtype=np.int64),
                    known_zero=np.asarray(graph.get("known_zero_columns", []), dtype=np.int64))
    rank = gf2_rank(H)
    match = re.fullmatch(r"[A-Za-z0-9]+_N(\d+)_K(\d+)", name)
    if match:
        n_named, k = int(match.group(1)), int(match.group(2))
        if n_named != H.shape[1]:
            raise ValueError(f"{path}: name says n={n_named}, H has {H.shape[1]} columns")
        if k != H.shape[1] - rank:
            raise ValueError(f"{path}: name says k={k}, n - rank(H) = {H.shape[1] - rank}")
    else:
        k = H.shape[1] - rank
    return Code(name=name, path=path, H=H, k=k)


if __name__ == "__main__":
    import sys
    for spec in sys.argv[1:] or ["LDPC_N49_K24"]:
        c = load_code(spec)
        print(f"{c.name}: n={c.n} m={c.m} k={c.k} rate={c.rate:.4f} edges={int(c.H.sum())}")
