#!/usr/bin/env python3
"""gen_ingest.py OUTDIR [--feeds N] [--entries M] [--per-feed K] [--days D] [--end-days E]
                      [--seed S] [--dense]

Generates the ingest benchmark's input in OUTDIR (which must not exist yet): N feed documents
(default 2,000) holding at least M entries in all (default 200,000), and OUTDIR/manifest.tsv
with one "URL<TAB>FILE" line per document, in the order to import them. Prints one summary
line on stdout. Deterministic for a given seed (default 1) and Python version.

The documents (feedgen.py): 65% RSS 2.0, 25% Atom 1.0, 10% RSS 1.0, one in ten ISO-8859-1;
40-160 entries each (then topped up to M; exactly K each with --per-feed), published over the
D days (default 30) that end E days (default 0) before one common date, newest first. Summaries are 200-1,200 bytes of HTML; one feed in four publishes full
text (1-6 KB more per entry).

What entries are about, which decides the work of tagging and story linking: two entries in
three name no platform, country or topic; each of the others is about one to three names of
feedgen.NAMES (platforms, countries, people), half of them also about a policy topic
(feedgen.TOPICS), and one word in 25 of its text is one of those. This is an assumption, not
a measurement of real feeds. --dense draws every entry's names from all of feedgen.NAMES and
TOPICS instead (every entry shares tags with most others: a stress case for the story
linker, whose work then grows much faster; BENCHMARKS.md).

Identity cases: one RSS 2.0 feed in six carries no <guid> (its entries are keyed by link) and
one in fifty of those entries has no link either (keyed by a hash of title and date); one
entry in twenty is a cross-feed copy of an entry of another feed (same title and text, the
original's URL with utm_ tracking parameters added), as aggregators publish them.
"""
import argparse
import os
import random

import feedgen

DAY = 86400
NOW = feedgen.EPOCH + 2 * 365 * DAY  # the common date the entries run back from
LANGS = ("en-us", "en-gb", "de-de", "fr-fr", "pt-br", "es-es")


def focus(rng, dense):
    """What one entry is about: the names its text mentions (feedgen.Text.names)."""
    if dense:
        return tuple(feedgen.NAMES) + feedgen.TOPICS
    if rng.random() < 2 / 3:
        return ()
    names = rng.sample(feedgen.NAMES, rng.randrange(1, 4))
    if rng.random() < 0.5:
        names.append(rng.choice(feedgen.TOPICS))
    return tuple(names)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--entries", type=int, default=200000)
    ap.add_argument("--per-feed", type=int)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--end-days", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dense", action="store_true")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    text = feedgen.Text(rng)
    if args.per_feed:
        counts = [args.per_feed] * args.feeds
    else:
        counts = [rng.randrange(40, 161) for _ in range(args.feeds)]
    while sum(counts) < args.entries:
        counts[rng.randrange(args.feeds)] += 1

    os.makedirs(args.outdir)
    published = []  # entries of earlier feeds, for cross-feed copies
    total = nbytes = guidless = linkless = copies = 0
    with open(os.path.join(args.outdir, "manifest.tsv"), "w", encoding="utf-8") as manifest:
        for n, count in enumerate(counts):
            fmt = rng.choices(("rss20", "atom10", "rss10"), weights=(65, 25, 10))[0]
            site = f"https://site{n}.example.{rng.choice(('com', 'org', 'net', 'de'))}"
            url = f"{site}/feed/{fmt}.xml"
            ch = feedgen.Channel(url=url, site=site, title=text.title(),
                                 description=text.sentence(), language=rng.choice(LANGS))
            full_text = rng.random() < 0.25
            no_guid = fmt == "rss20" and rng.random() < 1 / 6
            step = args.days * DAY // count
            entries = []
            for i in range(count):
                t = NOW - args.end_days * DAY - i * step - rng.randrange(step)
                slug = f"{n}-{i}-{rng.randrange(10**6)}"
                original = False
                if published and rng.random() < 0.05:
                    src = rng.choice(published)
                    e = feedgen.Entry(title=src.title, summary=src.summary, content=src.content,
                                      link=src.link + ("&" if "?" in src.link else "?")
                                      + f"utm_source=site{n}&utm_medium=rss",
                                      categories=src.categories, author=src.author)
                    copies += 1
                else:
                    text.names = focus(rng, args.dense)
                    e = feedgen.Entry(
                        title=text.title(), link=f"{site}/{slug}",
                        author=text.word().capitalize() + " " + text.word().capitalize(),
                        categories=[text.word() for _ in range(rng.randrange(0, 4))],
                        summary=text.html(rng.randrange(200, 1200), site),
                        content=text.html(rng.randrange(1000, 6000), site) if full_text else None)
                    original = rng.random() < 0.02
                e.published = t
                e.guid = None if no_guid else f"{site}/?p={slug}"
                if no_guid and rng.random() < 0.02:
                    e.link = None
                    linkless += 1
                elif original:
                    published.append(e)
                guidless += no_guid
                entries.append(e)
            encoding = "ISO-8859-1" if rng.random() < 0.1 else "UTF-8"
            data = feedgen.WRITERS[fmt](ch, entries, rng, encoding)
            path = os.path.join(os.path.abspath(args.outdir), f"feed{n:05d}.xml")
            with open(path, "wb") as f:
                f.write(data)
            manifest.write(f"{url}\t{path}\n")
            total += count if fmt != "rss10" else sum(1 for e in entries if e.link)
            nbytes += len(data)
    print(f"ingest corpus: {args.feeds} feeds, {total} entries ({guidless} without guid, "
          f"{linkless} of them without link, {copies} cross-feed copies), {nbytes} bytes")


if __name__ == "__main__":
    main()
