#!/usr/bin/env python3
"""Peak memory of sealcheck on hostile input sizes: a benchmark, not a test.

    python3 benches/memory.py [--bin target/release/sealcheck] [--check-gb 10]

Measures the peak resident set (the child's ru_maxrss) of:
- `verify` of a packet whose manifest is 50 MB of bad lines (blank lines:
  every one malformed, only the first 1000 kept);
- `check -` fed N GB of well-formed lines on standard input, for several N,
  so a flat line shows memory does not grow with the input;
- `verify` of packets of 10,000 to 100,000 files, without a receipt, with an
  unsigned one and with a signed one (`--receipt-files`): the receipt is
  streamed, so it adds far less than its own size to the peak.
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


def receipts(binary, tmp, counts):
    """Peak RSS of verify with and without a receipt, per packet size."""
    key = os.path.join(tmp, "k")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    for n in counts:
        packet = os.path.join(tmp, f"r{n}")
        for i in range(n):
            d = os.path.join(packet, f"d{i // 1000:03d}")
            if i % 1000 == 0:
                os.makedirs(d)
            with open(os.path.join(d, f"file-{i:06d}.txt"), "wb") as f:
                f.write(b"%d\n" % i)
        subprocess.run([binary, "seal", packet], check=True, stdout=subprocess.DEVNULL)
        receipt = os.path.join(tmp, f"r{n}.json")
        base = peak_of([binary, "verify", packet])
        unsigned = peak_of([binary, "verify", packet, "--attest", receipt])
        signed = peak_of([binary, "verify", packet, "--attest", receipt, "--attest-key", key])
        size = os.path.getsize(receipt) / (1 << 20)
        print(f"verify of {n} files: peak {base[2]:.1f} MiB; with a receipt {unsigned[2]:.1f} MiB"
              f" (+{unsigned[2] - base[2]:.1f}); signed {signed[2]:.1f} MiB (+{signed[2] - base[2]:.1f});"
              f" the signed receipt is {size:.1f} MiB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/sealcheck")
    ap.add_argument("--check-gb", type=float, default=1.0, help="the largest check - input, in GB")
    ap.add_argument("--receipt-files", type=int, nargs="*", default=[10_000, 50_000, 100_000],
                    help="packet sizes for the receipt case (none: skip it)")
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
        receipts(binary, tmp, a.receipt_files)


if __name__ == "__main__":
    sys.exit(main())
