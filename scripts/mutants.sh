#!/bin/sh
# Mutation testing of the core with cargo-mutants (`cargo install
# cargo-mutants`), in scoped pieces that fit a 2-core machine; outside CI.
#
#   sh scripts/mutants.sh [FILE...]      default: every core module, one at a time
#   MUTANTS_ITERATE=1 sh scripts/mutants.sh FILE...
#                                        test again only the mutants a previous
#                                        run of FILE did not catch (--iterate)
#   MUTANTS_TESTS="drift_props contract" sh scripts/mutants.sh FILE...
#                                        also run these integration tests for
#                                        each mutant (modules whose behaviour
#                                        the unit tests alone do not pin)
#   MUTANTS_ONLY=LIST sh scripts/mutants.sh FILE
#                                        test only the mutants named in LIST,
#                                        one per line as `--list` prints them
#                                        (the survivors of an earlier pass,
#                                        when edits have moved their lines)
#
# cargo-mutants copies the tree it tests, and refuses names that are not
# UTF-8, which the probe fixtures hold on purpose. So the script clones the
# committed tree into $MUTANTS_DIR (default /tmp/sealcheck-mutants), drops
# those fixtures there (the library's unit tests do not read them; the one
# probe that walks every fixture is skipped), and
# mutates that clone in place, with its own target directory beside it
# ($MUTANTS_DIR-target, kept between runs).
#
# Each piece mutates one file, builds and runs the library's unit tests
# (`--cargo-arg=--lib`, timeout 60 s per mutant: the unit tests take 3 s). Results land in
# mutants.out/<file>/ of this tree; docs/testing.md records the counts and
# judges every survivor; `python3 scripts/mutants-table.py` prints the counts.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTANTS_DIR:-/tmp/sealcheck-mutants}
files=${*:-"src/redact.rs src/escape.rs src/input.rs src/input/json.rs src/digest.rs src/relpath.rs src/manifest/parse.rs src/seal/mod.rs src/seal/sums.rs src/seal/bagit.rs src/verify.rs src/drift/mod.rs src/drift/tree.rs src/check.rs src/readback.rs src/sign.rs src/receipt.rs"}
export CARGO_TARGET_DIR="$work-target"
rm -rf "$work"
git clone --quiet "$here" "$work"
# Names that are not UTF-8 (cargo-mutants cannot handle them).
find "$work/fixtures" -depth -print0 | python3 -c '
import os, shutil, sys
for p in sys.stdin.buffer.read().split(b"\0"):
    try:
        p.decode("utf-8")
    except UnicodeDecodeError:
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        elif os.path.lexists(p):
            os.remove(p)
'
cd "$work"
for f in $files; do
    out="$here/mutants.out/$(echo "$f" | tr / _)"
    mkdir -p "$out"
    echo "== $f"
    scope="--cargo-arg=--lib"
    timeout=60
    if [ -n "${MUTANTS_TESTS:-}" ]; then
        scope="--cargo-arg=--lib"
        for t in $MUTANTS_TESTS; do scope="$scope --cargo-arg=--test=$t"; done
        timeout=240
    fi
    only=""
    if [ -n "${MUTANTS_ONLY:-}" ]; then
        # One regex: each name, escaped, anchored, joined by '|'.
        only=$(python3 -c 'import re, sys; print("|".join("^" + re.escape(l.strip()) + "$" for l in open(sys.argv[1]) if l.strip()))' "$MUTANTS_ONLY")
    fi
    # shellcheck disable=SC2046,SC2086
    cargo mutants --in-place --no-shuffle --timeout "$timeout" --file "$f" --output "$out" $scope \
        $([ -n "${MUTANTS_ITERATE:-}" ] && echo --iterate) ${only:+--re "$only"} \
        -- -- --skip committed_probes_end_as_declared || true
    git checkout --quiet -- .
done
