#!/usr/bin/env python3
"""Builds the benchmark corpora deterministically under a directory.

large: 1 GiB in 4 files of 256 MiB
small: 50,000 files of 1-8 KiB in 500 directories (about 230 MB)
mixed: 2,000 files from 100 B to 20 MiB, nested up to 6 deep, non-ASCII names (about 325 MB)
scale-N: N files of 100 bytes, for the scaling runs

Usage: make_corpora.py DIR [large|small|mixed|scale-N ...]
A corpus that already exists (its .NAME.done marker beside it) is kept.
"""
import os
import random
import sys


def marker(path):
    # Beside the corpus, not in it: the marker must not be hashed.
    return os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".done")


def done(path):
    return os.path.exists(marker(path))


def mark(path):
    open(marker(path), "w").close()


def large(root):
    r = random.Random(1)
    for i in range(4):
        with open(os.path.join(root, f"part-{i}.bin"), "wb") as f:
            for _ in range(256):
                f.write(r.randbytes(1 << 20))


def small(root):
    r = random.Random(2)
    for d in range(500):
        sub = os.path.join(root, f"d{d:03}")
        os.makedirs(sub, exist_ok=True)
        for i in range(100):
            with open(os.path.join(sub, f"f{i:03}.dat"), "wb") as f:
                f.write(r.randbytes(r.randint(1024, 8192)))


NAMES = ["r\u00e9sum\u00e9", "na\u00efve", "stra\u00dfe", "\u65e5\u672c", "caf\u00e9", "data", "log", "\u00fcber", "z\u00fcrich", "run"]


def mixed(root):
    r = random.Random(3)
    lo, hi = 100, 20 * 1024 * 1024
    # Log-uniform sizes, then scaled so the corpus holds about 325 MB.
    raw = [lo * (hi / lo) ** r.random() for _ in range(2000)]
    scale = 325e6 / sum(raw)
    sizes = [max(lo, min(hi, int(x * scale))) for x in raw]
    for i, size in enumerate(sizes):
        depth = r.randint(0, 6)
        parts = [f"{r.choice(NAMES)}-{r.randint(0, 9)}" for _ in range(depth)]
        d = os.path.join(root, *parts)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{r.choice(NAMES)}-{i:04}.bin"), "wb") as f:
            f.write(r.randbytes(size))


def scale(root, n):
    per_dir = 1000
    for i in range(n):
        d = os.path.join(root, f"d{i // per_dir:04}")
        if i % per_dir == 0:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:07}.txt"), "wb") as f:
            f.write(b"%100d" % i)


def main():
    base = sys.argv[1]
    for name in sys.argv[2:] or ["large", "small", "mixed"]:
        root = os.path.join(base, name)
        if done(root):
            continue
        os.makedirs(root, exist_ok=True)
        if name.startswith("scale-"):
            scale(root, int(name[len("scale-"):]))
        else:
            {"large": large, "small": small, "mixed": mixed}[name](root)
        mark(root)
        print(f"built {root}", file=sys.stderr)


if __name__ == "__main__":
    main()
