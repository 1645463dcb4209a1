"""End-to-end: story linking on the labelled evaluation set (tests/data/stories) meets the
targets of the stories issue: pairwise precision >= 0.95 and recall >= 0.9, every syndicated copy
recognised as a duplicate of the right entry, and each story's original its earliest report."""

import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(os.path.dirname(here), "bench"))
from harness import check, check_eq, done, newsmon_bin  # noqa: E402
import eval_stories  # noqa: E402

r = eval_stories.evaluate(newsmon_bin())
check_eq(r["missing"], 0, "every labelled entry is stored")
check(r["precision"] >= 0.95, f"pairwise precision {r['precision']:.3f} >= 0.95")
check(r["recall"] >= 0.90, f"pairwise recall {r['recall']:.3f} >= 0.90")
check_eq(r["duplicates"], r["copies"], "every syndicated copy is a duplicate of the entry it copies")
check(r["originals"] >= r["heads"] - 1, f"story originals found: {r['originals']}/{r['heads']}")
done()
