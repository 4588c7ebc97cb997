#!/usr/bin/env python3
"""Peak memory of sealcheck on hostile input sizes: a benchmark, not a test.

    python3 benches/memory.py [--bin target/release/sealcheck] [--check-gb 10]

Measures the peak resident set (the child's ru_maxrss) of:
- `verify` of a packet whose manifest is 50 MB of bad lines (blank lines:
  every one malformed, only the first 1000 kept);
- `check -` fed N GB of well-formed lines on standard input, for several N,
  so a flat line shows memory does not grow with the input.
The bound these must stay under is in docs/security.md.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

EMPTY = b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty\n"


def peak_of(cmd, stdin=None, cwd=None):
    """Runs cmd under GNU time (one run's own peak, not the running maximum
    getrusage gives over all children) and returns (exit, seconds, peak MiB)."""
    with tempfile.NamedTemporaryFile("r") as out:
        start = time.monotonic()
        proc = subprocess.Popen(["/usr/bin/time", "-o", out.name, "-f", "%M"] + cmd,
                                stdin=subprocess.PIPE if stdin else None, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=cwd)
        if stdin:
            stdin(proc.stdin)
            proc.stdin.close()
        code = proc.wait()
        secs = time.monotonic() - start
        kib = int(out.read().strip().splitlines()[-1])
    return code, secs, kib / 1024


def feed(total_bytes):
    def write(pipe):
        block = EMPTY * (1 << 14)
        sent = 0
        while sent < total_bytes:
            chunk = block[: min(len(block), total_bytes - sent)]
            try:
                pipe.write(chunk)
            except BrokenPipeError:
                return
            sent += len(chunk)
    return write


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/sealcheck")
    ap.add_argument("--check-gb", type=float, default=1.0, help="the largest check - input, in GB")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    with tempfile.TemporaryDirectory() as tmp:
        packet = os.path.join(tmp, "p")
        os.mkdir(packet)
        with open(os.path.join(packet, "a.txt"), "wb") as f:
            f.write(b"a\n")
        with open(os.path.join(packet, "HASH_MANIFEST.txt"), "wb") as f:
            f.write(b"\n" * 50_000_000)
        code, secs, mib = peak_of([binary, "verify", packet])
        print(f"verify, manifest of 50 MB of bad lines: exit {code}, {secs:.1f} s, peak {mib:.1f} MiB")
        work = os.path.join(tmp, "w")
        os.mkdir(work)
        open(os.path.join(work, "empty"), "wb").close()
        sizes = [s for s in (0.01, 0.1, a.check_gb) if s <= a.check_gb]
        for gb in sorted(set(sizes)):
            n = int(gb * 1e9) // len(EMPTY) * len(EMPTY)  # whole lines only
            code, secs, mib = peak_of([binary, "check", "--quiet", "-"], stdin=feed(n), cwd=work)
            print(f"check - on {gb:g} GB ({n // len(EMPTY)} lines): exit {code}, {secs:.1f} s, peak {mib:.1f} MiB")


if __name__ == "__main__":
    sys.exit(main())
