#!/usr/bin/env bash
# Side-by-side timing of sealcheck and the peers that are installed, on
# deterministic corpora built under DIR (default /tmp/sealcheck-bench).
#
#   bash benches/compare.sh [DIR] [--runs N] [--scaling] [--scaling-1m] [--cold] [--only large|small|mixed|drift]...
#
# Warm page cache: each command runs once untimed, then N times (default 5);
# with --cold, the page cache is dropped (sync; echo 3 > drop_caches, as
# root) before every timed run instead, and there is no untimed run;
# the table gives the median wall time, the ratio peer/sealcheck (above 1
# means sealcheck is faster) and the peak RSS. A missing peer is reported,
# never an error. Peers: GNU sha256sum, rhash, hashdeep (Debian packages
# rhash, hashdeep), bagit.py (PyPI: bagit), openssl (two processes).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=/tmp/sealcheck-bench
runs=5
scaling=0
scaling_1m=0
cold=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --scaling) scaling=1; shift ;;
    --scaling-1m) scaling=1; scaling_1m=1; shift ;;
    --cold) cold=1; shift ;;
    --only) only="$only $2"; shift 2 ;;
    *) dir=$1; shift ;;
  esac
done
if [ "$cold" = 1 ] && ! { sync && echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
  echo "compare.sh: --cold needs to write /proc/sys/vm/drop_caches (run as root); this machine does not allow it" >&2
  exit 2
fi
mkdir -p "$dir"
(cd "$here" && cargo build --release --quiet)
sc="$here/target/release/sealcheck"
python3 "$here/benches/make_corpora.py" "$dir" large small mixed

have() { command -v "$1" > /dev/null 2>&1; }
missing=()
for tool in sha256sum rhash hashdeep bagit.py openssl; do have "$tool" || missing+=("$tool"); done

# measure DIR CMD...: runs CMD in DIR; prints "median_seconds peak_rss_kib"
measure() {
  local where=$1; shift
  [ "$cold" = 1 ] || (cd "$where" && "$@" > /dev/null 2>&1) || true
  local times=() rss=0
  for _ in $(seq "$runs"); do
    local out
    [ "$cold" = 1 ] && sync && echo 3 > /proc/sys/vm/drop_caches
    (cd "$where" && /usr/bin/time -o "$dir/.time" -f "%e %M" "$@" > /dev/null 2>&1) || true
    out=$(tail -1 "$dir/.time")
    times+=("${out% *}")
    local r=${out#* }
    [ "$r" -gt "$rss" ] 2>/dev/null && rss=$r
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $rss"
}

prepare() {
  local c=$1
  [ -f "$dir/$c/HASH_MANIFEST.txt" ] || "$sc" seal "$dir/$c" > /dev/null 2>&1
  if have hashdeep && [ ! -f "$dir/$c.hashdeep" ]; then
    (cd "$dir/$c" && hashdeep -c sha256 -r -l . > "$dir/$c.hashdeep")
  fi
  if have bagit.py && [ ! -f "$dir/$c-bag/bagit.txt" ]; then
    rm -rf "$dir/$c-bag" && cp -al "$dir/$c" "$dir/$c-bag" && rm -f "$dir/$c-bag/HASH_MANIFEST.txt"
    bagit.py --quiet --sha256 --processes 2 "$dir/$c-bag" > /dev/null 2>&1
  fi
  if [ ! -f "$dir/$c.files" ]; then
    (cd "$dir/$c" && find . -type f ! -name HASH_MANIFEST.txt -print0 > "$dir/$c.files")
  fi
}

row() { printf '%-34s %9s %9s %10s\n' "$@"; }

report() {
  local c=$1 base
  echo
  echo "## $c ($(du -sh --apparent-size "$dir/$c" | cut -f1), $(grep -c . "$dir/$c/HASH_MANIFEST.txt") files)"
  row "command" "median s" "ratio" "peak RSS"
  read -r base brss < <(measure "$dir/$c" "$sc" verify .)
  row "sealcheck verify" "$base" "1.00" "$((brss / 1024)) MiB"
  line() {
    local label=$1; shift
    read -r t r < <(measure "$@")
    row "$label" "$t" "$(awk -v a="$t" -v b="$base" 'BEGIN {printf "%.2f", a / b}')" "$((r / 1024)) MiB"
  }
  line "sealcheck verify --threads 1" "$dir/$c" "$sc" --threads 1 verify .
  line "sealcheck seal --stdout" "$dir/$c" "$sc" seal --stdout .
  have sha256sum && line "sha256sum -c" "$dir/$c" sha256sum -c --quiet HASH_MANIFEST.txt
  have rhash && line "rhash --sha256 -c" "$dir/$c" rhash --sha256 --skip-ok -c HASH_MANIFEST.txt
  have hashdeep && line "hashdeep -a" "$dir/$c" hashdeep -a -k "$dir/$c.hashdeep" -r -l .
  if have bagit.py; then
    line "bagit.py --validate --processes 2" "$dir" bagit.py --quiet --validate --processes 2 "$c-bag"
    line "sealcheck verify (the same bag)" "$dir" "$sc" verify "$c-bag"
  fi
  # Two openssl processes, each given half of the files.
  local half
  half=$(( ($(tr -cd '\0' < "$dir/$c.files" | wc -c) + 1) / 2 ))
  have openssl && line "2 x openssl dgst" "$dir/$c" sh -c "xargs -0 -n $half -P 2 openssl dgst -sha256 < '$dir/$c.files'"
  local mb
  mb=$(du -sb --apparent-size "$dir/$c" | cut -f1)
  echo "sealcheck: $(awk -v n="$(grep -c . "$dir/$c/HASH_MANIFEST.txt")" -v t="$base" 'BEGIN {printf "%.0f files/s", n / t}'), $(awk -v b="$mb" -v t="$base" 'BEGIN {printf "%.0f MB/s", b / t / 1e6}') on $(nproc) CPUs"
}

drift() {
  local c=small
  rm -rf "$dir/$c-drifted" && cp -al "$dir/$c" "$dir/$c-drifted"
  # Replace 1% of the files (every hundredth) with a CRLF-drifted copy of new text.
  local f
  # One file in each of the 500 directories: 1%. (A `head` here would end
  # the script: under pipefail its early exit is an error.)
  for f in $(cd "$dir/$c-drifted" && find . -name 'f000.dat' | sort); do
    rm "$dir/$c-drifted/$f"
    printf 'line one\r\nline two\r\n' > "$dir/$c-drifted/$f"
  done
  echo
  echo "## 1% drift ($c, 500 of 50,000 files changed)"
  read -r clean _ < <(measure "$dir/$c" "$sc" verify .)
  read -r drifted _ < <(measure "$dir/$c-drifted" "$sc" verify .)
  row "sealcheck verify, clean" "$clean" "1.00" ""
  row "sealcheck verify, 1% drifted" "$drifted" "$(awk -v a="$drifted" -v b="$clean" 'BEGIN {printf "%.2f", a / b}')" ""
}

scale_runs() {
  local sizes=(10000 100000)
  [ "$scaling_1m" = 1 ] && sizes+=(1000000)
  echo
  echo "## scaling (files of 100 bytes)"
  row "files, command" "median s" "us/file" "peak RSS"
  for n in "${sizes[@]}"; do
    python3 "$here/benches/make_corpora.py" "$dir" "scale-$n"
    [ -f "$dir/scale-$n/HASH_MANIFEST.txt" ] || "$sc" seal "$dir/scale-$n" > /dev/null 2>&1
    read -r t r < <(measure "$dir/scale-$n" "$sc" verify .)
    row "$n verify" "$t" "$(awk -v t="$t" -v n="$n" 'BEGIN {printf "%.2f", t / n * 1e6}')" "$((r / 1024)) MiB"
    read -r t r < <(measure "$dir/scale-$n" "$sc" seal --stdout .)
    row "$n seal" "$t" "$(awk -v t="$t" -v n="$n" 'BEGIN {printf "%.2f", t / n * 1e6}')" "$((r / 1024)) MiB"
  done
}

echo "# sealcheck vs peers: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), sha256 backend $("$sc" --version --verbose | sed -n 's/sha256 backend: //p')"
echo "# $("$sc" --version); $(sha256sum --version | head -1); $(rhash --version 2>/dev/null || echo 'rhash missing'); hashdeep $(hashdeep -V 2>/dev/null || echo missing); bagit $(python3 -c 'import bagit; print(bagit.VERSION)' 2>/dev/null || echo missing); $(openssl version 2>/dev/null || echo 'openssl missing')"
if [ "$cold" = 1 ]; then echo "# median of $runs runs, page cache dropped before each"; else echo "# median of $runs warm runs"; fi
wanted() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }
for c in large small mixed; do
  if wanted "$c"; then prepare "$c"; report "$c"; fi
done
if wanted drift; then prepare small; drift; fi
[ "$scaling" = 1 ] && scale_runs
if [ ${#missing[@]} -gt 0 ]; then echo; echo "missing peers (not measured): ${missing[*]}"; fi
