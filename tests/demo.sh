#!/bin/sh
# demo.sh BUILD_DIR — newsmon end to end without the internet: serves the sample news feeds of
# tests/data/stories on 127.0.0.1, crawls them into a temporary database with the example alert
# rules, then shows the feeds' health, the stories found, and the Hong Kong data-request story.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/$1/newsmon"
tmp=$(mktemp -d)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# one route per sample feed, served as a process on a free loopback port
python3 - "$root/tests/data/stories" "$tmp/server.json" <<'PY'
import json, pathlib, sys
data = pathlib.Path(sys.argv[1])
routes = {f"/{p.name}": {"body_file": str(p), "content_type": "application/rss+xml"}
          for p in sorted(data.glob("*.xml"))}
json.dump({"hosts": 1, "routes": routes}, open(sys.argv[2], "w"))
PY
python3 "$root/tests/e2e/feedserver.py" --config "$tmp/server.json" >"$tmp/ports" &
server=$!
for _ in $(seq 50); do [ -s "$tmp/ports" ] && break; sleep 0.1; done
base=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["urls"][0])' "$tmp/ports")
for f in "$root"/tests/data/stories/*.xml; do
	echo "$base/$(basename "$f") demo"
done >"$tmp/feeds.txt"

echo "== newsmon crawl (alerts on stdout, the summary on stderr)"
"$bin" --db "$tmp/demo.db" --tags "$root/tags.txt" crawl --feeds "$tmp/feeds.txt" \
	--alerts "$root/alerts.example.txt" | head -n 15
echo "   ..."
echo
echo "== newsmon feeds"
"$bin" --db "$tmp/demo.db" feeds
echo
echo "== newsmon stories --tag country:HK"
"$bin" --db "$tmp/demo.db" stories --tag country:HK
echo
story=$("$bin" --db "$tmp/demo.db" stories --tag topic:data-request --since 2020-07-01 |
	awk '$0 ~ /Hong Kong/ && $0 ~ /2020-07-0/ {print $1; exit}')
echo "== newsmon story $story"
"$bin" --db "$tmp/demo.db" story "$story"
echo
echo "The database was $tmp/demo.db (removed now); run 'make run' to crawl feeds.txt for real."
