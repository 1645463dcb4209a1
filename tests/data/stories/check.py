#!/usr/bin/env python3
"""Consistency check for the story evaluation set (standard library only).

Run from anywhere: python3 tests/data/stories/check.py
It reads every *.xml feed in this directory and labels.tsv, and checks that:
- every feed is well-formed RSS 2.0 with channel title/link and complete items;
- every pubDate is RFC 822 with a zone, its weekday is right, and it lies in 2018-2025;
- guids are unique across the set and labels.tsv covers each exactly once;
- every story has exactly one head (role `original`, or `negative` for neg-* stories)
  and it is the story's earliest-published entry;
- a `duplicate` names the entry it copies ("duplicate of GUID"), shares its title, is
  published later, and matches it by canonical URL or by text (an "Originally published
  by" line aside);
- every link from one entry to another stays inside the story and points back in time,
  and every "links back to GUID" note is true;
- the set meets the brief's minimums.
Prints one line per problem, a summary, and "N passed, M failed" last; exits 1 on failure.
"""

import collections
import email.utils
import html
import pathlib
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

HERE = pathlib.Path(__file__).resolve().parent
ROLES = {"original", "follow-up", "duplicate", "negative"}
TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)$", re.I)
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

passed = 0
failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", msg)
    return cond


def canonical(url):
    """Scheme and host lower-cased, default port, fragment and tracking parameters dropped."""
    p = urllib.parse.urlsplit(url.strip())
    host = (p.hostname or "").lower()
    if p.port and not (p.scheme == "http" and p.port == 80) and not (p.scheme == "https" and p.port == 443):
        host += ":%d" % p.port
    query = [(k, v) for k, v in urllib.parse.parse_qsl(p.query, keep_blank_values=True) if not TRACKING.match(k)]
    return urllib.parse.urlunsplit((p.scheme.lower(), host, p.path or "/", urllib.parse.urlencode(query), ""))


def plain(markup):
    """Description HTML to comparable text, with an aggregator's credit line removed."""
    text = re.sub(r"<[^>]+>", " ", markup)
    text = html.unescape(text)
    text = re.sub(r"Originally published by [^.]*\.", " ", text)
    return " ".join(text.split())


def load_feeds():
    entries = {}
    outlets = []
    for path in sorted(HERE.glob("*.xml")):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            check(False, "%s: not well-formed: %s" % (path.name, e))
            continue
        check(root.tag == "rss" and root.get("version") == "2.0", "%s: not RSS 2.0" % path.name)
        channel = root.find("channel")
        if not check(channel is not None, "%s: no channel" % path.name):
            continue
        for field in ("title", "link", "description"):
            check((channel.findtext(field) or "").strip() != "", "%s: channel has no %s" % (path.name, field))
        outlets.append(path.stem)
        for item in channel.findall("item"):
            e = {"outlet": path.stem}
            for field in ("guid", "link", "title", "description", "pubDate"):
                e[field] = (item.findtext(field) or "").strip()
                check(e[field] != "", "%s: item %s has no %s" % (path.name, e.get("guid") or "?", field))
            guid = e["guid"]
            check(guid not in entries, "%s: guid %s used twice" % (path.name, guid))
            try:
                when = email.utils.parsedate_to_datetime(e["pubDate"])
            except (TypeError, ValueError):
                when = None
            if check(when is not None and when.tzinfo is not None, "%s: bad pubDate %r" % (guid, e["pubDate"])):
                check(e["pubDate"][:3] == WEEKDAYS[when.weekday()], "%s: weekday wrong in %r" % (guid, e["pubDate"]))
                check(2018 <= when.year <= 2025, "%s: date outside 2018-2025" % guid)
            e["when"] = when
            e["hrefs"] = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', e["description"])]
            entries[guid] = e
    return entries, outlets


def load_labels():
    lines = (HERE / "labels.tsv").read_text(encoding="utf-8").splitlines()
    check(lines and lines[0] == "guid\tstory\trole\tnote", "labels.tsv: bad header")
    labels = {}
    for n, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        if not check(len(cols) == 4 and all(c.strip() for c in cols), "labels.tsv:%d: want 4 non-empty columns" % n):
            continue
        guid, story, role, note = cols
        check(guid not in labels, "labels.tsv:%d: %s labelled twice" % (n, guid))
        check(role in ROLES, "labels.tsv:%d: unknown role %s" % (n, role))
        labels[guid] = {"story": story, "role": role, "note": note}
    return labels


def main():
    entries, outlets = load_feeds()
    labels = load_labels()
    for guid in entries:
        check(guid in labels, "%s: not labelled" % guid)
    for guid in labels:
        check(guid in entries, "labels.tsv: %s is in no feed" % guid)
    guids = [g for g in entries if g in labels]

    by_url = {canonical(entries[g]["link"]): g for g in guids}
    stories = collections.defaultdict(list)
    for g in guids:
        stories[labels[g]["story"]].append(g)

    for story, members in sorted(stories.items()):
        negative = story.startswith("neg-")
        head_role = "negative" if negative else "original"
        heads = [g for g in members if labels[g]["role"] in ("original", "negative")]
        check(len(heads) == 1, "%s: %d heads, want one" % (story, len(heads)))
        check(all(labels[g]["role"] == head_role for g in heads), "%s: head role must be %s" % (story, head_role))
        earliest = min(members, key=lambda g: entries[g]["when"])
        check(heads == [earliest], "%s: head %s is not the earliest entry %s" % (story, heads, earliest))
        if not negative:
            check(3 <= len(members) <= 12, "%s: %d entries, want 3 to 12" % (story, len(members)))
            check(len({entries[g]["outlet"] for g in members}) >= 2, "%s: fewer than 2 outlets" % story)
            check(len({entries[g]["when"].date() for g in members}) >= 2, "%s: all on one day" % story)
            titles = [entries[g]["title"] for g in members if labels[g]["role"] != "duplicate"]
            check(len(titles) == len(set(titles)), "%s: a follow-up repeats a headline" % story)

    linked_follow_ups = set()
    for g in guids:
        e, lab = entries[g], labels[g]
        for href in e["hrefs"]:
            target = by_url.get(canonical(href))
            if target is None or target == g:
                continue
            check(labels[target]["story"] == lab["story"], "%s links to %s of another story" % (g, target))
            check(entries[target]["when"] < e["when"], "%s links forward in time to %s" % (g, target))
            if lab["role"] == "follow-up":
                linked_follow_ups.add(g)
        m = re.search(r"links back to (\S+)", lab["note"])
        if m:
            target = m.group(1).rstrip(",;:")
            hrefs = {canonical(h) for h in e["hrefs"]}
            check(target in entries and canonical(entries[target]["link"]) in hrefs,
                  "%s: note says it links back to %s but it does not" % (g, target))
        if lab["role"] == "duplicate":
            m = re.search(r"duplicate of (\S+)", lab["note"])
            if not check(m and m.group(1).rstrip(",;:") in entries, "%s: duplicate names no source" % g):
                continue
            src = entries[m.group(1).rstrip(",;:")]
            check(labels[src["guid"]]["story"] == lab["story"], "%s: duplicates an entry of another story" % g)
            check(src["when"] < e["when"], "%s: published before its source" % g)
            check(src["title"] == e["title"], "%s: title differs from its source" % g)
            same_url = canonical(src["link"]) == canonical(e["link"])
            same_text = plain(src["description"]) == plain(e["description"])
            src_text = plain(src["description"])
            copied = same_text or (same_url and plain(e["description"]) in src_text)
            check(same_url or same_text, "%s: neither URL nor text matches its source" % g)
            check(copied, "%s: text is not a copy of its source" % g)

    real = {s: m for s, m in stories.items() if not s.startswith("neg-")}
    neg = {s: m for s, m in stories.items() if s.startswith("neg-")}
    n_real = sum(len(m) for m in real.values())
    n_dup = sum(1 for g in guids if labels[g]["role"] == "duplicate")
    check(n_real >= 70, "only %d entries in stories, want 70" % n_real)
    check(len(real) >= 12, "only %d stories, want 12" % len(real))
    check(len(outlets) >= 6, "only %d outlets, want 6" % len(outlets))
    check(len(neg) >= 12, "only %d negative stories, want 12" % len(neg))
    check(len(linked_follow_ups) >= 5, "only %d follow-ups link back, want 5" % len(linked_follow_ups))
    check(n_dup >= 3, "only %d duplicates, want 3" % n_dup)

    pairs = sum(len(m) * (len(m) - 1) // 2 for m in stories.values())
    print("%d entries from %d outlets: %d in %d stories, %d in %d negative stories; "
          "%d duplicates, %d follow-ups linking back, %d same-story pairs"
          % (len(guids), len(outlets), n_real, len(real), sum(len(m) for m in neg.values()), len(neg),
             n_dup, len(linked_follow_ups), pairs))
    for story, members in sorted(real.items(), key=lambda kv: -len(kv[1])):
        print("  %-36s %2d entries, %d outlets" % (story, len(members), len({entries[g]["outlet"] for g in members})))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
