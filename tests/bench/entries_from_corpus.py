#!/usr/bin/env python3
"""entries_from_corpus.py OUT [CORPUS_DIR] — the benchmark input for bench_tagger.

Writes one line per feed entry found in the feed documents of CORPUS_DIR (default
../shared/corpus/realworld, relative to the repository root): "title<TAB>text", the text being
the entry's description/summary/content with tags stripped by a regex and entities unescaped,
tabs and newlines turned into spaces. Standard library only; a rough extractor, not a feed
parser: it only has to yield realistic text.
"""
import html
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ITEM = re.compile(rb"<(item|entry)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
FIELD = re.compile(rb"<(title|description|summary|content|content:encoded)\b[^>]*>(.*?)</\1\s*>",
                   re.S | re.I)
CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
TAG = re.compile(r"<[^>]*>")
DECL = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
SPACE = re.compile(r"\s+")


def plain(raw):
    """Markup to one line of plain text: CDATA opened, entities decoded, tags stripped."""
    text = CDATA.sub(lambda m: m.group(1), raw)
    text = html.unescape(text)          # escaped HTML (&lt;p&gt;) becomes markup ...
    text = TAG.sub(" ", text)           # ... which is stripped ...
    text = html.unescape(text)          # ... and its own entities decoded
    return SPACE.sub(" ", text).strip()


def entries_xml(data):
    """(title, body) byte strings of each <item> or <entry>; body is the longest text field."""
    for m in ITEM.finditer(data):
        fields = {}
        for f in FIELD.finditer(m.group(2)):
            fields.setdefault(f.group(1).decode().lower(), f.group(2))
        body = max((fields.get(k, b"") for k in ("content:encoded", "content", "description",
                                                  "summary")), key=len)
        yield fields.get("title", b""), body


def entries(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".json"):
        try:
            for item in json.loads(data).get("items", []):
                yield (plain(item.get("title") or ""),
                       plain(item.get("content_html") or item.get("content_text") or ""))
        except ValueError:
            pass
        return
    m = DECL.search(data[:200])
    enc = m.group(1).decode() if m else "utf-8"
    for title, body in entries_xml(data):
        try:
            yield plain(title.decode(enc)), plain(body.decode(enc))
        except (LookupError, UnicodeDecodeError):
            yield (plain(title.decode("utf-8", errors="replace")),
                   plain(body.decode("utf-8", errors="replace")))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split("\n")[0])
    corpus = sys.argv[2] if len(sys.argv) == 3 else os.path.join(ROOT, "..", "shared", "corpus",
                                                                 "realworld")
    count = size = 0
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        for name in sorted(os.listdir(corpus)):
            if name.endswith(".md"):
                continue
            for title, text in entries(os.path.join(corpus, name)):
                if not title and not text:
                    continue
                line = f"{title}\t{text}\n"
                out.write(line)
                count += 1
                size += len(line.encode())
    print(f"entries_from_corpus: {count} entries, {size} bytes -> {sys.argv[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
