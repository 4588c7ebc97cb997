#!/usr/bin/env bash
# The GitHub Action's gate step (action.yml): runs `sealcheck verify` on the
# inputs, writes the outputs and exits with sealcheck's code, so the step
# fails when the gate is red. Inputs come as INPUT_* variables; the runner
# provides GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP.
set -uo pipefail
report="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/sealcheck-report.json"
args=(verify "${INPUT_PACKET:?the packet input is required}" --format "${INPUT_FORMAT:-github}" --report "$report")
[ -n "${INPUT_MANIFEST:-}" ] && args+=(--manifest "$INPUT_MANIFEST")
[ -n "${INPUT_EXPECT_TREE:-}" ] && args+=(--expect-tree "$INPUT_EXPECT_TREE")
[ -n "${INPUT_ALLOWED_SIGNERS:-}" ] && args+=(--allowed-signers "$INPUT_ALLOWED_SIGNERS")
while IFS= read -r extra; do
  [ -n "$extra" ] && args+=("$extra")
done <<< "${INPUT_ARGS:-}"
"${SEALCHECK:-sealcheck}" "${args[@]}"
code=$?
# The report is written whatever happened; read its fields without jq.
field() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d
for k in sys.argv[2].split("."):
    v = (v or {}).get(k)
print("" if v is None else v)' "$report" "$1" 2>/dev/null
}
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "final-status=$(field final_status)"
    echo "packet-tree-sha256=$(field packet.packet_tree_sha256)"
    echo "report-path=$report"
  } >> "$GITHUB_OUTPUT"
fi
exit "$code"
