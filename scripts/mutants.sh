#!/bin/sh
# Mutation testing of the core with cargo-mutants (`cargo install
# cargo-mutants`), in scoped pieces that fit a 2-core machine; outside CI.
#
#   sh scripts/mutants.sh [FILE...]      default: every core module, one at a time
#
# Each piece mutates one file and runs the library's unit tests and the
# integration tests that exercise it (`--test-tool cargo`, timeout 300 s per
# mutant). Results land in mutants.out/<file>/; docs/testing.md records the
# counts and judges every survivor.
set -eu
cd "$(dirname "$0")/.."
files=${*:-"src/redact.rs src/escape.rs src/input.rs src/input/json.rs src/digest.rs src/relpath.rs src/manifest/parse.rs src/manifest/mod.rs src/seal/mod.rs src/seal/sums.rs src/seal/bagit.rs src/verify.rs src/drift/mod.rs src/drift/tree.rs src/check.rs src/readback.rs src/sign.rs src/receipt.rs"}
for f in $files; do
    out="mutants.out/$(echo "$f" | tr / _)"
    echo "== $f"
    cargo mutants --no-shuffle --timeout 300 --jobs 1 --file "$f" --output "$out" -- --lib || true
    tail -n 3 "$out/mutants.out/outcomes.json" 2>/dev/null || true
done
