"""End-to-end: the July 2020 example of DESIGN.md as four crawls of a loopback server. An original
report, its syndicated copy with tracking parameters, an in-place UPDATE, follow-ups from other
outlets (one linking back, one not), and near-miss negatives; the exact alert lines of every
round, the export, `story`, and a last round in which nothing changed and nothing is printed."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feedserver import FeedServer  # noqa: E402
from harness import check, check_eq, check_in, done, newsmon, tempdir  # noqa: E402


def rss(title, items):
    out = []
    for it in items:
        out.append(f"<item><guid isPermaLink=\"false\">{it['guid']}</guid><title>{it['title']}</title>"
                   f"<link>{it['link']}</link><description><![CDATA[{it['html']}]]></description>"
                   f"<pubDate>{it['date']}</pubDate></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}'
            f"</title><link>https://example.org/</link>{''.join(out)}</channel></rss>")


ORIGINAL_URL = "https://trade.example/2020/07/06/whatsapp-telegram-hong-kong-data-requests"
original = dict(
    guid="trade-1", link=ORIGINAL_URL, date="Mon, 06 Jul 2020 04:40:00 GMT",
    title="WhatsApp and Telegram refuse Hong Kong data requests",
    html="<p>WhatsApp and Telegram said on Monday they would stop processing requests for user "
         "data from Hong Kong law enforcement while they assess the national security law that "
         "Beijing imposed on the city last week.</p><p>Both messaging apps said the pause covers "
         "all government requests for user information from Hong Kong authorities.</p>")
updated = dict(original, html=original["html"] + "<p>UPDATE &ndash; 10:00 7/7/20: Facebook, "
               "Google and Twitter have since said they are pausing Hong Kong data requests too."
               "</p>")
copy = dict(original, guid="agg-77", link=ORIGINAL_URL + "?utm_source=agg&amp;utm_medium=rss",
            date="Mon, 06 Jul 2020 06:15:00 GMT")
police = dict(
    guid="hk-3", link="https://harbour.example/police-first-arrests",
    date="Mon, 06 Jul 2020 09:00:00 GMT",
    title="Hong Kong police make first arrests under national security law",
    html="<p>Police in Hong Kong arrested ten people carrying independence flags at a march, the "
         "first arrests under the national security law. Officers said the flags were banned.</p>")
feature = dict(
    guid="trade-2", link="https://trade.example/2020/07/06/whatsapp-qr-codes",
    date="Mon, 06 Jul 2020 12:00:00 GMT",
    title="WhatsApp adds QR codes for sharing contacts",
    html="<p>WhatsApp is rolling out QR codes that let users add contacts by scanning a code, "
         "along with animated stickers and a dark mode for its web version.</p>")
wire = dict(
    guid="wire-1", link="https://wire.example/tech/hong-kong-data-requests-facebook-google",
    date="Mon, 06 Jul 2020 11:02:00 GMT",
    title="Facebook, Google and Twitter suspend Hong Kong data requests after security law",
    html=f"<p>Facebook, Google and Twitter said they had paused processing requests for user data "
         f"from the Hong Kong government while they assess the national security law, following "
         f"<a href=\"{ORIGINAL_URL}\">WhatsApp and Telegram</a>.</p><p>The companies said "
         f"requests for user information from Hong Kong authorities are on hold.</p>")
more = dict(
    guid="trade-3", link="https://trade.example/2020/07/07/microsoft-zoom-linkedin-hong-kong",
    date="Tue, 07 Jul 2020 09:20:00 GMT",
    title="Microsoft, Zoom and LinkedIn also pause Hong Kong data requests",
    html="<p>Microsoft, Zoom and LinkedIn said on Tuesday they had paused responding to requests "
         "for user data from Hong Kong authorities while they review the national security law, "
         "joining WhatsApp, Telegram, Facebook, Google and Twitter.</p>")
tiktok = dict(
    guid="hk-4", link="https://harbour.example/tiktok-exit",
    date="Tue, 07 Jul 2020 03:00:00 GMT",
    title="TikTok to leave Hong Kong app stores within days",
    html="<p>TikTok said it would withdraw its app from Hong Kong app stores within days, after "
         "the national security law took effect. The short-video app is owned by ByteDance.</p>")

RULES = """# the researcher's rules
hk-data = country:HK AND topic:data-request
whatsapp = platform:WhatsApp
tiktok = "short-video" OR platform:TikTok
"""

with tempdir() as tmp, FeedServer(hosts=1) as srv:
    db, feeds, rules = tmp / "a.db", tmp / "feeds.txt", tmp / "alerts.txt"
    rules.write_text(RULES)
    srv.route("/trade", body=rss("TechTrade Daily", [original, feature]))
    srv.route("/agg", body=rss("NewsFlow", [copy]))
    srv.route("/harbour", body=rss("Harbour Post", [police]))
    srv.route("/wire", body=rss("Global Wire", []))
    feeds.write_text("".join(f"{srv.url(p)} test every=1m\n" for p in ("/trade", "/agg", "/harbour", "/wire")))

    def crawl():
        r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--alerts", rules, "--force",
                    db=db, env={"NEWSMON_NOW": "1594100000"})
        check_eq(r.code, 0, "the crawl exits 0")
        return r

    def lines(r):
        return r.out.splitlines()

    # --- round 1: the first report, a copy of it, two near misses -----------------------------
    r = crawl()
    check_eq(lines(r), [
        "ALERT\thk-data\tnew\t2020-07-06T04:40:00Z\tTechTrade Daily\tWhatsApp and Telegram refuse "
        "Hong Kong data requests\t" + ORIGINAL_URL,
        "ALERT\twhatsapp\tnew\t2020-07-06T04:40:00Z\tTechTrade Daily\tWhatsApp and Telegram refuse "
        "Hong Kong data requests\t" + ORIGINAL_URL,
        "ALERT\twhatsapp\tnew\t2020-07-06T12:00:00Z\tTechTrade Daily\tWhatsApp adds QR codes for "
        "sharing contacts\thttps://trade.example/2020/07/06/whatsapp-qr-codes",
    ], "round 1: the original alerts once per rule, the copy never, oldest first")

    # --- round 2: the in-place UPDATE, and a follow-up that links back ------------------------
    srv.set("/trade", body=rss("TechTrade Daily", [updated, feature]))
    srv.set("/wire", body=rss("Global Wire", [wire]))
    r = crawl()
    check_eq(lines(r), [
        "ALERT\thk-data\tupdated\t2020-07-06T04:40:00Z\tTechTrade Daily\tWhatsApp and Telegram "
        "refuse Hong Kong data requests\t" + ORIGINAL_URL,
        "ALERT\twhatsapp\tupdated\t2020-07-06T04:40:00Z\tTechTrade Daily\tWhatsApp and Telegram "
        "refuse Hong Kong data requests\t" + ORIGINAL_URL,
        "ALERT\thk-data\tfollow-up\t2020-07-06T11:02:00Z\tGlobal Wire\tFacebook, Google and Twitter "
        "suspend Hong Kong data requests after security law\t" + wire["link"],
        "ALERT\twhatsapp\tfollow-up\t2020-07-06T11:02:00Z\tGlobal Wire\tFacebook, Google and "
        "Twitter suspend Hong Kong data requests after security law\t" + wire["link"],
    ], "round 2: the update and the follow-up, each once, in order of publication")

    # --- round 3: a follow-up without a link, and another platform's move in the same city ----
    srv.set("/trade", body=rss("TechTrade Daily", [updated, feature, more]))
    srv.set("/harbour", body=rss("Harbour Post", [police, tiktok]))
    r = crawl()
    check_eq(lines(r), [
        "ALERT\ttiktok\tnew\t2020-07-07T03:00:00Z\tHarbour Post\tTikTok to leave Hong Kong app "
        "stores within days\thttps://harbour.example/tiktok-exit",
        "ALERT\thk-data\tfollow-up\t2020-07-07T09:20:00Z\tTechTrade Daily\tMicrosoft, Zoom and "
        "LinkedIn also pause Hong Kong data requests\t" + more["link"],
        "ALERT\twhatsapp\tfollow-up\t2020-07-07T09:20:00Z\tTechTrade Daily\tMicrosoft, Zoom and "
        "LinkedIn also pause Hong Kong data requests\t" + more["link"],
    ], "round 3: TikTok starts its own story; the Microsoft report joins the first")

    # --- round 4: nothing changed, nothing printed --------------------------------------------
    r = crawl()
    check_eq(r.out, "", "round 4: nothing new, so stdout stays empty (cron sends no mail)")

    # --- the story as stored -------------------------------------------------------------------
    rows = {x["guid"]: x for x in map(json.loads, newsmon("export", db=db).out.splitlines())}
    story = rows["trade-1"]["story"]
    check_eq(rows["trade-1"]["relation"], "original", "the first report is the original")
    check_eq(rows["trade-1"]["revisions"], 1, "with one revision")
    check_eq((rows["agg-77"]["relation"], rows["agg-77"]["related_to"]),
             ("duplicate", rows["trade-1"]["id"]), "the copy is a duplicate of it")
    for g in ("wire-1", "trade-3"):
        check_eq((rows[g]["story"], rows[g]["relation"], rows[g]["related_to"]),
                 (story, "follow-up", rows["trade-1"]["id"]), f"{g} is a follow-up of the original")
    for g in ("hk-3", "trade-2", "hk-4"):
        check(rows[g]["story"] != story, f"the near miss {g} has a story of its own")
    check_in("country:HK", rows["trade-1"]["tags"], "the original is tagged country:HK")
    check_in("topic:data-request", rows["trade-1"]["tags"], "and topic:data-request")
    r = newsmon("story", str(story), db=db)
    check_eq(r.code, 0, "story ID exits 0")
    check_in("4 entries from 3 outlets", r.out, "the story counts its entries and outlets")
    check_in("+ UPDATE – 10:00 7/7/20: Facebook, Google and Twitter have since said", r.out,
             "the revision shows the added paragraph")
    check_in("why: links to the story", r.out, "the linked follow-up says why")
    check_in(f"why: same canonical URL as entry {rows['trade-1']['id']}", r.out,
             "and the copy why it is one")
    r = newsmon("stories", "--tag", "topic:data-request", db=db)
    check_eq(len(r.out.splitlines()), 1, "one data-request story")

    # --- JSON alerts, and a rules file with a mistake -----------------------------------------
    srv.set("/wire", body=rss("Global Wire", [wire, dict(wire, guid="wire-2", link=wire["link"] + "-2",
                                                         title="Hong Kong data requests: the list grows",
                                                         date="Wed, 08 Jul 2020 08:00:00 GMT")]))
    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--alerts", rules, "--alerts-json",
                "--force", db=db)
    alerts = [json.loads(line) for line in r.out.splitlines()]
    check_eq([(a["rule"], a["kind"], a["title"]) for a in alerts],
             [("hk-data", "follow-up", "Hong Kong data requests: the list grows"),
              ("whatsapp", "follow-up", "Hong Kong data requests: the list grows")],
             "--alerts-json prints one object per alert")
    check_eq(alerts[0]["story"], story, "naming the story")
    bad = tmp / "bad.txt"
    bad.write_text("ok = word\nbroken = (country:HK AND\n")
    before = srv.total
    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--alerts", bad, db=db)
    check_eq(r.code, 2, "a rules file with a mistake stops the crawl")
    check(r.err.startswith(f"newsmon: {bad}:2: "), "reported as FILE:LINE: message")
    check_eq(srv.total, before, "before anything is fetched")
    typo = tmp / "typo.txt"
    typo.write_text("# rules\nwa = platform:Whatsap OR platform:WhatsApp\nhk = country:HK\n")
    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--alerts", typo, "--force", db=db)
    check_eq(r.code, 0, "a tag the vocabulary never gives does not stop the crawl")
    check_in(f"newsmon: {typo}:2: platform:whatsap is not a tag of tags.txt: that term never matches",
             r.err, "it is named, with its line, on every run")
    check_eq(r.err.count("is not a tag"), 1, "only that one")
    check(srv.total > before, "and the crawl went on")

    # --- feed text cannot reach the terminal raw ----------------------------------------------
    hostile = dict(guid="evil-1", link="https://evil.example/a", date="Thu, 09 Jul 2020 08:00:00 GMT",
                   title="Hong Kong\tdata\x1b[31mrequests&#x9b;2J\nfake ALERT line",
                   html="<p>Hong Kong data requests and user data requests from Hong Kong police.</p>")
    srv.route("/evil", body=rss("Evil\x1b]0;owned\x07 Feed", [hostile]))
    feeds.write_text(feeds.read_text() + f"{srv.url('/evil')}\n")
    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--alerts", rules, "--force", db=db)
    check(all(ch not in r.out for ch in "\x1b\x07\x9b\x00\r"), "no escape or control character on stdout")
    check(all(len(line.split("\t")) == 7 for line in r.out.splitlines()),
          "every alert line keeps exactly seven fields")
    check(all(line.startswith("ALERT\t") for line in r.out.splitlines()), "and every line is an alert")

done()
