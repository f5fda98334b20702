#!/usr/bin/python3
"""bench/aggregation/compare.py -- labelctl's methods beside crowd-kit's, per data set.

  compare.py EVAL_MD STANDIN_MD

EVAL_MD is lc-agg-eval's Markdown (rows "| set | method | accuracy | ..."),
STANDIN_MD the table of crowdkit_standin.py --datasets.  Prints one table:
every labelctl method, every stand-in method, the references of
../shared/datasets/README.md and the Crowd-Kit paper, the best of all, and
how far `stake` (labelctl's default) and labelctl's best are from it.
"""
import sys

# ../shared/datasets/README.md (reference.py) and the Crowd-Kit paper
# (Ustalov et al., JOSS 2024): D_Product and D_PosSent only.
REFERENCE = {
    "dog": {"MV ref": 0.8178, "DS ref": 0.8414},
    "duck": {"MV ref": 0.7593, "DS ref": 0.8981},
    "face": {"MV ref": 0.6301, "DS ref": 0.6404},
    "possent": {"MV ref": 0.9320, "DS ref": 0.9600, "DS paper": 0.960, "GLAD paper": 0.948},
    "product": {"MV ref": 0.8966, "DS ref": 0.9393, "DS paper": 0.940, "GLAD paper": 0.928},
    "rte": {"MV ref": 0.9187, "DS ref": 0.9275},
    "temp": {"MV ref": 0.9394, "DS ref": 0.9416},
}
LABELCTL = ["stake", "ds", "onecoin", "wawa", "mv", "replay", "ds --row-prior 0"]


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def main():
    ours = {}
    for line in open(sys.argv[1]):
        c = cells(line)
        if len(c) >= 3 and c[1] in LABELCTL:
            try:
                ours.setdefault(c[0], {})[c[1]] = float(c[2])
            except ValueError:
                pass
    theirs, head = {}, None
    for line in open(sys.argv[2]):
        c = cells(line)
        if c and c[0] == "data set":
            head = c[1:]
        elif head and len(c) == len(head) + 1 and not c[0].startswith("-"):
            theirs[c[0]] = dict(zip(head, (float(x) for x in c[1:])))
    peer = sorted({m for t in theirs.values() for m in t})
    cols = LABELCTL + ["ck " + m for m in peer]
    print("| data set | " + " | ".join(cols) +
          " | references | best of all | labelctl best - best | stake - best |")
    print("|---|" + "---|" * (len(cols) + 4))
    for s in sorted(ours):
        row = dict(ours[s])
        row.update({"ck " + m: a for m, a in theirs.get(s, {}).items()})
        refs = REFERENCE.get(s, {})
        everything = dict(row)
        everything.update(refs)
        best_name = max(everything, key=lambda k: everything[k])
        best = everything[best_name]
        ours_best = max(ours[s].values())
        print("| %s | " % s + " | ".join(
            ("**%.4f**" % row[c] if row.get(c) == best else "%.4f" % row[c])
            if c in row else "" for c in cols) +
              " | %s | %.4f (%s) | %+.2f | %+.2f |" % (
                  ", ".join("%s %.4g" % kv for kv in refs.items()),
                  best, best_name, 100 * (ours_best - best),
                  100 * (ours[s].get("stake", 0) - best)))


if __name__ == "__main__":
    main()
