#!/usr/bin/env python3
"""Prints the counts of every mutants.out/<file>/ run as a Markdown table
(docs/testing.md carries it): per module, caught, missed, unviable, timed
out, and when the run ended. A run still going is marked as partial."""
import glob
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "mutants.out"
print("| module | mutants | caught | missed | unviable | timed out | run ended |")
print("|---|---|---|---|---|---|---|")
for d in sorted(glob.glob(os.path.join(root, "*", "mutants.out"))):
    try:
        with open(os.path.join(d, "outcomes.json")) as f:
            o = json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        # cargo-mutants writes the file once the baseline has run.
        print(f"| `{os.path.basename(os.path.dirname(d))}` | | | | | | starting |")
        continue
    files = {x["scenario"]["Mutant"]["file"] for x in o["outcomes"] if isinstance(x["scenario"], dict)}
    module = ", ".join(sorted(files)) or os.path.basename(os.path.dirname(d))
    tested = o["caught"] + o["missed"] + o["unviable"] + o["timeout"]
    total = o["total_mutants"]
    ended = (o.get("end_time") or "")[:16].replace("T", " ") or f"partial: {tested} of {total}"
    print(f"| `{module}` | {total} | {o['caught']} | {o['missed']} | {o['unviable']} | {o['timeout']} | {ended} |")
