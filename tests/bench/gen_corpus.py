#!/usr/bin/env python3
"""gen_corpus.py OUTDIR [--mb N] [--copies K] [--seed S] [--realworld DIR]

Builds the parse benchmark's corpus in OUTDIR (which must not exist yet): K byte-for-byte
copies of every feed document in the real-world corpus (default ../shared/corpus/realworld,
relative to the repository root; MANIFEST.md skipped), then generated feeds until the
corpus holds at least N MB (10^6 bytes; default 72). Prints one summary line on stdout:
"corpus: FILES files, BYTES bytes (REAL real-world, GEN generated), largest LARGEST bytes".

Generated feeds (feedgen.py, seed S, default 1): 55% RSS 2.0, 30% Atom 1.0, 15% RSS 1.0;
one in ten in ISO-8859-1. Most carry 10-60 entries, one in eight is an archive of 150-600
entries and one in forty a podcast or news archive of 1000-2500 entries with summaries only (the largest
documents, a few MB, as real feeds of that kind are). Summaries run 150-1500 bytes of HTML;
the other feeds publish full text two times in five, 1-12 KB of content per entry.
"""
import argparse
import os
import random
import shutil
import sys

import feedgen

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LANGS = ("en-us", "en-gb", "de-de", "fr-fr", "pt-br", "es-es", "ru", "ja", "ar", "tr")


def entry_count(rng):
    r = rng.random()
    if r < 0.025:
        return rng.randrange(1000, 2500)
    if r < 0.15:
        return rng.randrange(150, 600)
    return rng.randrange(10, 60)


def make_feed(rng, text, n):
    """One generated document as (name, bytes)."""
    fmt = rng.choices(("rss20", "atom10", "rss10"), weights=(55, 30, 15))[0]
    site = f"https://news{n}.example.{rng.choice(('com', 'org', 'net', 'de', 'com.br'))}"
    ch = feedgen.Channel(url=f"{site}/feed/{fmt}.xml", site=site, title=text.title(),
                         description=text.sentence(), language=rng.choice(LANGS))
    count = entry_count(rng)
    full_text = rng.random() < 0.4 and count < 1000
    t = feedgen.EPOCH + rng.randrange(3 * 365 * 86400)
    entries = []
    for i in range(count):
        t -= rng.randrange(600, 5 * 3600)
        slug = f"{n}-{i}-{rng.randrange(10**6)}"
        entries.append(feedgen.Entry(
            title=text.title(), link=f"{site}/{slug}", guid=f"{site}/?p={slug}",
            published=t, author=text.word().capitalize() + " " + text.word().capitalize(),
            categories=[text.word() for _ in range(rng.randrange(0, 5))],
            summary=text.html(rng.randrange(150, 1500), site),
            content=text.html(rng.randrange(1000, 12000), site) if full_text else None,
            enclosure=(f"{site}/audio/{slug}.mp3", "audio/mpeg", rng.randrange(10**6, 10**8))
            if rng.random() < 0.1 else None))
    encoding = "ISO-8859-1" if rng.random() < 0.1 else "UTF-8"
    return f"gen{n:05d}_{fmt}.xml", feedgen.WRITERS[fmt](ch, entries, rng, encoding)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--mb", type=float, default=72)
    ap.add_argument("--copies", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--realworld", default=os.path.join(ROOT, "..", "shared", "corpus",
                                                        "realworld"))
    args = ap.parse_args()

    os.makedirs(args.outdir)
    real = gen = files = largest = 0
    for name in sorted(os.listdir(args.realworld)):
        src = os.path.join(args.realworld, name)
        if name.endswith(".md") or not os.path.isfile(src):
            continue
        for k in range(args.copies):
            shutil.copyfile(src, os.path.join(args.outdir, f"real{k}_{name}"))
            size = os.path.getsize(src)
            real += size
            files += 1
            largest = max(largest, size)
    if files == 0:
        sys.exit(f"gen_corpus: no feed documents in {args.realworld}")

    rng = random.Random(args.seed)
    text = feedgen.Text(rng)
    n = 0
    while real + gen < args.mb * 1e6:
        name, data = make_feed(rng, text, n)
        with open(os.path.join(args.outdir, name), "wb") as f:
            f.write(data)
        gen += len(data)
        files += 1
        largest = max(largest, len(data))
        n += 1
    print(f"corpus: {files} files, {real + gen} bytes ({real} real-world, {gen} generated), "
          f"largest {largest} bytes")


if __name__ == "__main__":
    main()
