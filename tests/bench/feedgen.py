"""feedgen.py — deterministic synthetic feed documents for the benchmarks (gen_corpus.py,
gen_ingest.py). Standard library only.

Text: English-like sentences from a fixed word list (which holds no tag alias of tags.txt) with
names of platforms, countries and people mixed in, one word in 25 drawn from Text.names (all
of NAMES by default, some with accents, Cyrillic, CJK and Arabic; gen_ingest.py narrows it per
entry to what the entry is about, or to nothing), apostrophes and ampersands that become
entities. HTML bodies are paragraphs with links, emphasis, lists and images.
Documents: RSS 2.0 (description escaped or in CDATA, content:encoded, dc:creator,
enclosures), Atom 1.0 (html content escaped, xhtml content inline) and RSS 1.0 (RDF with dc:
and content:), in UTF-8 or ISO-8859-1 (characters outside Latin-1 then become numeric
character references, as publishers' CMSs write them).

All randomness comes from the random.Random passed in, so a seed gives the same bytes on
every machine with the same Python version.
"""
import time

WORDS = (
    "the of and to in a is that for on with as was by it at from be this have are has "
    "government court order request data users user account accounts law police authorities "
    "company said says report reports new policy privacy security encryption messages access "
    "information public officials minister ministry national platform platforms service "
    "services app apps law enforcement requests transparency content removal takedown "
    "national security legislation parliament regulator regulators fine ruling judge appeal "
    "complied refused comply refuse statement spokesperson week month year today yesterday "
    "after before under over between against about into through during without within "
    "social media network networks online internet surveillance warrant subpoena "
    "emergency disclosure hand over handed shared sharing personal identity journalists "
    "activists protesters opposition election campaign investigation criminal case cases "
    "global local regional international human rights groups organisation organization "
    "billion million percent users' figures numbers half quarter first second third "
    "latest update updated earlier later also however while although because since until "
    "more most less least many several some few all other others such these those which "
    "who whom whose what when where why how not no only just still even already again "
    "will would could should may might must can cannot do does did done make made take "
    "taken give given ask asked tell told show shows showed find found keep kept begin "
    "began end ended continue continued decide decided announce announced confirm "
    "confirmed deny denied reject rejected block blocked ban banned suspend suspended "
    "temporarily permanently publicly privately formally officially reportedly").split()

NAMES = (
    "WhatsApp Telegram Facebook Google Twitter LinkedIn Zoom TikTok Signal Apple Microsoft "
    "Amazon Instagram YouTube Meta Snapchat Reddit Yandex VKontakte WeChat Weibo Baidu "
    "Hong_Kong China India Brazil Russia Turkey Germany France Nigeria Kenya Indonesia "
    "Pakistan Egypt Mexico Australia Canada Japan Korea Vietnam Iran Ukraine Poland "
    "Türkiye São_Paulo Zürich München Malmö Kraków Bogotá Reykjavík Ciudad_de_México "
    "Müller Øyvind Sánchez Nuñez Dvořák Łukasz Gonçalves Françoise "
    "Москва Роскомнадзор Телеграм 北京 微信 東京 서울 القاهرة תל_אביב").split()

TOPICS = ("censorship", "data requests", "law enforcement requests", "content removal",
          "national security law", "transparency report", "encryption backdoor")

PUNCT = ("Hong Kong's", "AT&T", "Procter & Gamble", "users' data", "\u201cdata requests\u201d",
         "end-to-end", "\u2014", "e.g.", "R&D", "Q&A", "50%", "\u20ac2.5m", "US$1,000")

EPOCH = 1577836800  # 2020-01-01T00:00:00Z: generated dates run forward from here


class Text:
    """Sentences, titles and HTML from the word lists, driven by one random.Random."""

    def __init__(self, rng):
        self.rng = rng
        self.names = NAMES  # what one word in 25 is drawn from; () for none

    def word(self):
        r = self.rng.random()
        if r < 0.04:
            if self.names:
                return self.rng.choice(self.names).replace("_", " ")
        elif r < 0.05:
            return self.rng.choice(PUNCT)
        return self.rng.choice(WORDS)

    def sentence(self, lo=8, hi=28):
        words = [self.word() for _ in range(self.rng.randrange(lo, hi))]
        return words[0][:1].upper() + " ".join(words)[1:] + "."

    def title(self):
        words = [self.word() for _ in range(self.rng.randrange(5, 14))]
        return words[0][:1].upper() + " ".join(words)[1:]

    def plain(self, size):
        """About size bytes of sentences."""
        out, n = [], 0
        while n < size:
            s = self.sentence()
            out.append(s)
            n += len(s) + 1
        return " ".join(out)

    def html(self, size, base):
        """About size bytes of article HTML: paragraphs with inline markup, a list, a
        figure, links (absolute and relative) and character references."""
        def esc(lo, hi):
            return self.sentence(lo, hi).replace("&", "&amp;")

        out, n = [], 0
        while n < size:
            r = self.rng.random()
            if r < 0.08:
                items = "".join(f"<li>{esc(4, 10)}</li>"
                                for _ in range(self.rng.randrange(2, 6)))
                part = f"<ul>{items}</ul>"
            elif r < 0.12:
                part = (f'<figure><img src="{base}/img/{self.rng.randrange(10**6)}.jpg" '
                        f'alt="{esc(3, 6)[:-1]}" width="640" height="360">'
                        f"<figcaption>{esc(4, 9)}</figcaption></figure>")
            else:
                words = esc(8, 28).split(" ")
                if len(words) > 6 and self.rng.random() < 0.5:
                    i = self.rng.randrange(1, len(words) - 3)
                    href = (f"{base}/{self.rng.randrange(2018, 2024)}/{self.rng.randrange(1, 13):02d}/"
                            f"{words[i].lower().strip('.,')}-{self.rng.randrange(10**5)}"
                            if self.rng.random() < 0.7 else f"/news/{self.rng.randrange(10**6)}")
                    words[i] = f'<a href="{href}">{words[i]} {words[i + 1]}</a>'
                    del words[i + 1]
                if len(words) > 4 and self.rng.random() < 0.3:
                    j = self.rng.randrange(len(words))
                    if "<" not in words[j]:
                        words[j] = f"<strong>{words[j]}</strong>"
                part = "<p>" + " ".join(words).replace("'", "&#8217;") + "</p>"
            out.append(part)
            n += len(part) + 1
        return "\n".join(out)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr_escape(s):
    return xml_escape(s).replace('"', "&quot;")


def cdata(s):
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rfc822(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Entry:
    """One entry: title (plain text), link, guid (None: the document has none), published
    (Unix seconds), author, categories, summary and content (HTML; content may be None),
    enclosure ((url, type, length) or None)."""

    __slots__ = ("title", "link", "guid", "published", "author", "categories", "summary",
                 "content", "enclosure")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


class Channel:
    """Feed-level fields: url (of the document), site, title, description, language."""

    __slots__ = ("url", "site", "title", "description", "language")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def rss20(ch, entries, rng, encoding="UTF-8"):
    """An RSS 2.0 document as bytes. Descriptions are escaped HTML or CDATA (chosen per
    document), content in content:encoded CDATA."""
    use_cdata = rng.random() < 0.5
    out = [f'<?xml version="1.0" encoding="{encoding}"?>\n'
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom" '
           'xmlns:media="http://search.yahoo.com/mrss/">\n<channel>\n'
           f"<title>{xml_escape(ch.title)}</title>\n<link>{ch.site}/</link>\n"
           f'<atom:link href="{attr_escape(ch.url)}" rel="self" type="application/rss+xml"/>\n'
           f"<description>{xml_escape(ch.description)}</description>\n"
           f"<language>{ch.language}</language>\n"
           f"<lastBuildDate>{rfc822(max((e.published for e in entries), default=EPOCH))}"
           "</lastBuildDate>\n<generator>feedgen 1.0</generator>\n<ttl>60</ttl>\n"]
    for e in entries:
        out.append(f"<item>\n<title>{xml_escape(e.title)}</title>\n")
        if e.link:
            out.append(f"<link>{xml_escape(e.link)}</link>\n")
        if e.guid:
            out.append(f'<guid isPermaLink="false">{xml_escape(e.guid)}</guid>\n')
        out.append(f"<pubDate>{rfc822(e.published)}</pubDate>\n"
                   f"<dc:creator>{xml_escape(e.author)}</dc:creator>\n")
        out.extend(f"<category>{xml_escape(c)}</category>\n" for c in e.categories)
        out.append("<description>" + (cdata(e.summary) if use_cdata else xml_escape(e.summary))
                   + "</description>\n")
        if e.content:
            out.append(f"<content:encoded>{cdata(e.content)}</content:encoded>\n")
        if e.enclosure:
            out.append(f'<enclosure url="{attr_escape(e.enclosure[0])}" '
                       f'type="{e.enclosure[1]}" length="{e.enclosure[2]}"/>\n')
        out.append("</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out).encode(encoding, errors="xmlcharrefreplace")


def atom10(ch, entries, rng, encoding="UTF-8"):
    """An Atom 1.0 document as bytes: summary as escaped html, content as escaped html or as
    inline xhtml (chosen per document)."""
    xhtml = rng.random() < 0.3
    out = [f'<?xml version="1.0" encoding="{encoding}"?>\n'
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{ch.language}">\n'
           f'<title type="text">{xml_escape(ch.title)}</title>\n'
           f"<subtitle>{xml_escape(ch.description)}</subtitle>\n"
           f'<link rel="alternate" type="text/html" href="{ch.site}/"/>\n'
           f'<link rel="self" href="{attr_escape(ch.url)}"/>\n<id>{ch.site}/</id>\n'
           f"<updated>{rfc3339(max((e.published for e in entries), default=EPOCH))}</updated>\n"
           '<generator uri="https://example.org/feedgen" version="1.0">feedgen</generator>\n']
    for e in entries:
        out.append(f'<entry>\n<title type="html">{xml_escape(xml_escape(e.title))}</title>\n')
        if e.link:
            out.append(f'<link rel="alternate" type="text/html" href="{attr_escape(e.link)}"/>\n')
        if e.guid:
            out.append(f"<id>{xml_escape(e.guid)}</id>\n")
        out.append(f"<published>{rfc3339(e.published)}</published>\n"
                   f"<updated>{rfc3339(e.published + 600)}</updated>\n"
                   f"<author><name>{xml_escape(e.author)}</name></author>\n")
        out.extend(f'<category term="{attr_escape(c)}"/>\n' for c in e.categories)
        out.append(f'<summary type="html">{xml_escape(e.summary)}</summary>\n')
        if e.content and xhtml:
            out.append('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                       + e.content.replace("&#8217;", "\u2019").replace('width="640" height="360">',
                                                                          'width="640" height="360"/>')
                       + "</div></content>\n")
        elif e.content:
            out.append(f'<content type="html">{xml_escape(e.content)}</content>\n')
        if e.enclosure:
            out.append(f'<link rel="enclosure" href="{attr_escape(e.enclosure[0])}" '
                       f'type="{e.enclosure[1]}" length="{e.enclosure[2]}"/>\n')
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out).encode(encoding, errors="xmlcharrefreplace")


def rss10(ch, entries, rng, encoding="UTF-8"):
    """An RSS 1.0 (RDF) document as bytes, with dc: dates and creators and content:encoded.
    Entries without a link are skipped (RDF items are named by their URL)."""
    del rng
    items = [e for e in entries if e.link]
    seq = "".join(f'<rdf:li rdf:resource="{attr_escape(e.link)}"/>\n' for e in items)
    out = [f'<?xml version="1.0" encoding="{encoding}"?>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
           f'<channel rdf:about="{attr_escape(ch.url)}">\n<title>{xml_escape(ch.title)}</title>\n'
           f"<link>{ch.site}/</link>\n<description>{xml_escape(ch.description)}</description>\n"
           f"<dc:language>{ch.language}</dc:language>\n<items><rdf:Seq>\n{seq}</rdf:Seq></items>\n"
           "</channel>\n"]
    for e in items:
        out.append(f'<item rdf:about="{attr_escape(e.link)}">\n<title>{xml_escape(e.title)}</title>\n'
                   f"<link>{xml_escape(e.link)}</link>\n"
                   f"<description>{xml_escape(e.summary)}</description>\n"
                   f"<dc:date>{rfc3339(e.published)}</dc:date>\n"
                   f"<dc:creator>{xml_escape(e.author)}</dc:creator>\n")
        out.extend(f"<dc:subject>{xml_escape(c)}</dc:subject>\n" for c in e.categories)
        if e.content:
            out.append(f"<content:encoded>{cdata(e.content)}</content:encoded>\n")
        out.append("</item>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out).encode(encoding, errors="xmlcharrefreplace")


WRITERS = {"rss20": rss20, "atom10": atom10, "rss10": rss10}
