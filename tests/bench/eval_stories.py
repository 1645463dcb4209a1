#!/usr/bin/env python3
"""Scores story linking against the labelled set in tests/data/stories.

Imports every outlet file under its URL (from the set's README) into a fresh database, exports
it, and compares the stories newsmon built with the labels: pairwise precision and recall over
all entry pairs (a pair is positive when both entries belong to the same story), plus how many
syndicated copies were recognised as duplicates of the right entry and how many story
originals were found. Prints the figures, and with -v every wrong pair.

Usage: eval_stories.py NEWSMON [-v]
"""
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(root, "tests", "data", "stories")


def urls():
    table = {}
    for line in open(os.path.join(data, "README.md"), encoding="utf-8"):
        m = re.match(r"\|\s*(\w+\.xml)\s*\|\s*(https?://\S+)\s*\|", line)
        if m:
            table[m.group(1)] = m.group(2)
    return table


def labels():
    out = {}
    with open(os.path.join(data, "labels.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            guid, story, role, note = line.rstrip("\n").split("\t")
            out[guid] = (story, role, note)
    return out


def evaluate(newsmon, verbose=False):
    """Imports the set into a fresh database and scores it. Returns a dict of the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "eval.db")
        env = dict(os.environ, NEWSMON_NOW="1767225600")
        args = [newsmon, "--db", db, "--tags", os.path.join(root, "tags.txt"), "import"]
        for name, url in sorted(urls().items()):
            args += ["--url", url, os.path.join(data, name)]
        subprocess.run(args, check=True, env=env, stderr=subprocess.DEVNULL)
        out = subprocess.run([newsmon, "--db", db, "export"], check=True, env=env,
                             capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    gold = labels()
    by_guid = {r["guid"]: r for r in rows}
    by_id = {r["id"]: r for r in rows}
    guids = sorted(set(gold) & set(by_guid))
    tp = fp = fn = 0
    wrong = []
    for a, b in itertools.combinations(guids, 2):
        same_gold = gold[a][0] == gold[b][0]
        same_pred = by_guid[a]["story"] == by_guid[b]["story"]
        if same_gold and same_pred:
            tp += 1
        elif same_pred:
            fp += 1
            wrong.append(("joined", a, b))
        elif same_gold:
            fn += 1
            wrong.append(("split", a, b))
    dups = [g for g in guids if gold[g][1] == "duplicate"]
    dup_ok = 0
    for g in dups:
        want = gold[g][2].split()[2].rstrip(":;,") if gold[g][2].startswith("duplicate of") else None
        r = by_guid[g]
        target = by_id.get(r["related_to"], {}).get("guid")
        if r["relation"] == "duplicate" and target == want:
            dup_ok += 1
        elif verbose:
            print(f"duplicate missed: {g} -> {r['relation']} {target} (want {want})")
    heads = [g for g in guids if gold[g][1] in ("original", "negative")]
    head_ok = sum(1 for g in heads if by_guid[g]["relation"] == "original")
    if verbose:
        for kind, a, b in wrong:
            print(f"{kind}: {a} [{gold[a][0]}] / {b} [{gold[b][0]}]  "
                  f"{by_guid[a]['title'][:60]!r} / {by_guid[b]['title'][:60]!r}")
        for g in heads:
            if by_guid[g]["relation"] != "original":
                print(f"original missed: {g} is {by_guid[g]['relation']}")
    return {
        "entries": len(guids), "missing": len(set(gold) - set(by_guid)),
        "stories": len({r["story"] for r in rows}), "labelled": len({gold[g][0] for g in gold}),
        "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp, "fp": fp, "fn": fn, "duplicates": dup_ok, "copies": len(dups),
        "originals": head_ok, "heads": len(heads),
    }


def main():
    r = evaluate(sys.argv[1], "-v" in sys.argv)
    print(f"entries {r['entries']} (missing {r['missing']}), stories built {r['stories']}, "
          f"labelled {r['labelled']}")
    print(f"pairwise precision {r['precision']:.3f} recall {r['recall']:.3f} "
          f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")
    print(f"duplicates recognised {r['duplicates']}/{r['copies']}, originals {r['originals']}/{r['heads']}")


if __name__ == "__main__":
    main()
