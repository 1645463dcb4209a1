/*
 * db.c — connection, schema migrations and every SQL statement of newsmon (see db.h).
 *
 * The schema is a list of migrations indexed by PRAGMA user_version: a database at version N
 * gets migrations N+1.. applied, each in its own BEGIN IMMEDIATE transaction together with the
 * new user_version, so a crash between two leaves a database at a well-defined version. A
 * database newer than this program is refused rather than misread, and a database that is not
 * newsmon's (another application_id, or tables but no version) is never touched.
 *
 * Times are INTEGER Unix seconds, UTC. Tables are STRICT.
 */
#include "store/db.h"
#include "store/checkpoint.h"
#include "store/walvfs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#define NEWSMON_APPLICATION_ID 0x4E4D4F4E /* "NMON" */
#define BUSY_TIMEOUT_MS 5000
/* A checkpoint every 64 MB of WAL (SQLite's default is 4): a crawl commits a document at a
 * time, the commits rewrite the same index pages, and each checkpoint copies every page
 * changed since the last one back and syncs the file twice. Against 16 MB, importing 40,000
 * entries makes 62 syncs instead of 215, 6% fewer writes and 9% fewer reads. */
#define CHECKPOINT_FRAMES 16384
#define STRINGIFY(x) STRINGIFY_(x)
#define STRINGIFY_(x) #x

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE feeds(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  url TEXT NOT NULL UNIQUE,            -- as listed in feeds.txt, or given to import\n"
	"  fetch_url TEXT,                      -- where it lives after a permanent redirect\n"
	"  title TEXT,                          -- from the document\n"
	"  title_override TEXT,                 -- \"~Title\" in feeds.txt\n"
	"  labels TEXT NOT NULL DEFAULT '',     -- space-separated words from feeds.txt\n"
	"  every INTEGER,                       -- refresh interval from every=, seconds\n"
	"  listed INTEGER NOT NULL DEFAULT 0,   -- in feeds.txt now; removed feeds keep history\n"
	"  added INTEGER NOT NULL,\n"
	"  etag TEXT, last_modified TEXT,       -- validators, echoed verbatim\n"
	"  body_hash TEXT,                      -- of the last body, for servers that ignore them\n"
	"  ttl INTEGER NOT NULL DEFAULT 0,      -- the feed's own minimum interval, seconds\n"
	"  next_due INTEGER NOT NULL DEFAULT 0,\n"
	"  last_fetch INTEGER, last_success INTEGER, last_status INTEGER, last_error TEXT,\n"
	"  failures INTEGER NOT NULL DEFAULT 0, -- consecutive\n"
	"  gone INTEGER NOT NULL DEFAULT 0,     -- 410 Gone: not fetched until --force\n"
	"  moved_to TEXT,                       -- a 301/308 target to put into feeds.txt\n"
	"  identity INTEGER NOT NULL DEFAULT 0, -- how entries are told apart (store.c)\n"
	"  identity_note TEXT                   -- why, when the GUIDs are broken or missing\n"
	") STRICT;\n"
	"CREATE TABLE stories(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  original INTEGER,                    -- entries.id of the earliest published entry\n"
	"  first INTEGER NOT NULL, last INTEGER NOT NULL\n"
	") STRICT;\n"
	"-- the columns read while crawling and linking come first and the HTML last: SQLite reads a\n"
	"-- row up to the last column asked for, and a long row continues on overflow pages\n"
	"CREATE TABLE entries(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id),\n"
	"  key TEXT NOT NULL,                   -- identity within the feed\n"
	"  content_hash TEXT NOT NULL,          -- of normalised title and text\n"
	"  at INTEGER NOT NULL,                 -- published, else first seen: orders everything\n"
	"  title_key TEXT NOT NULL,             -- normalised title, for cross-feed copies\n"
	"  guid TEXT, url TEXT, canon_url TEXT,\n"
	"  published INTEGER, published_raw TEXT, updated INTEGER,\n"
	"  first_seen INTEGER NOT NULL,\n"
	"  version_seen INTEGER NOT NULL,       -- when the current version was first seen\n"
	"  revisions INTEGER NOT NULL DEFAULT 0,\n"
	"  title TEXT NOT NULL,\n"
	"  text TEXT NOT NULL,                  -- plain text of content, else summary\n"
	"  author TEXT, categories TEXT, enclosures TEXT, -- categories, enclosures: JSON arrays\n"
	"  comments TEXT,\n"
	"  summary TEXT, content TEXT,\n"
	"  UNIQUE(feed_id, key)\n"
	") STRICT;\n"
	"CREATE INDEX entries_canon ON entries(canon_url) WHERE canon_url IS NOT NULL;\n"
	"CREATE INDEX entries_title_key ON entries(title_key, at);\n"
	"-- what changes as entries are processed lives in narrow tables: an entry row (text and all)\n"
	"-- is written when its content changes, never to record a state\n"
	"CREATE TABLE pending(                  -- entries stored but not yet tagged, linked, alerted\n"
	"  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),\n"
	"  kind INTEGER NOT NULL,               -- 1 new, 2 updated\n"
	"  at INTEGER NOT NULL                  -- entries.at: the order of processing\n"
	") STRICT;\n"
	"CREATE INDEX pending_at ON pending(at, entry_id);\n"
	"CREATE TABLE entry_story(              -- each processed entry's place in a story\n"
	"  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id),\n"
	"  relation TEXT NOT NULL CHECK (relation IN ('original', 'follow-up', 'duplicate')),\n"
	"  related_to INTEGER REFERENCES entries(id),\n"
	"  link_reason TEXT, link_score REAL,   -- why it joined, and how strongly\n"
	"  at INTEGER NOT NULL                  -- entries.at, so that linking reads no entry row\n"
	") STRICT;\n"
	"CREATE INDEX entry_story_story ON entry_story(story_id, at);\n"
	"CREATE INDEX entry_story_related ON entry_story(related_to) WHERE related_to IS NOT NULL;\n"
	"CREATE INDEX entries_at ON entries(at);\n"
	"CREATE TABLE entry_features(           -- a processed entry's words and tags, packed\n"
	"  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),\n"
	"  features BLOB NOT NULL               -- parsers/similar.h\n"
	") STRICT;\n"
	"CREATE TABLE revisions(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  entry_id INTEGER NOT NULL REFERENCES entries(id),\n"
	"  version INTEGER NOT NULL,            -- 0 for the first version\n"
	"  seen INTEGER NOT NULL,               -- when this version was first seen\n"
	"  replaced INTEGER NOT NULL,           -- when a newer one replaced it\n"
	"  title TEXT NOT NULL, summary TEXT, content TEXT, text TEXT NOT NULL\n"
	") STRICT;\n"
	"CREATE INDEX revisions_entry ON revisions(entry_id, version);\n"
	"CREATE TRIGGER entries_keep_revision BEFORE UPDATE OF content_hash ON entries\n"
	"WHEN old.content_hash IS NOT new.content_hash BEGIN\n"
	"  INSERT INTO revisions(entry_id, version, seen, replaced, title, summary, content, text)\n"
	"  VALUES (old.id, old.revisions, old.version_seen, new.version_seen, old.title,\n"
	"          old.summary, old.content, old.text);\n"
	"END;\n"
	"CREATE TABLE fetches(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id),\n"
	"  started INTEGER NOT NULL, ms INTEGER, status INTEGER, bytes INTEGER,\n"
	"  entries_new INTEGER, entries_updated INTEGER,\n"
	"  error TEXT, url TEXT                 -- the URL finally fetched\n"
	") STRICT;\n"
	"CREATE INDEX fetches_feed ON fetches(feed_id, started);\n"
	"CREATE TABLE entry_links(              -- links in an entry's text, canonical\n"
	"  entry_id INTEGER NOT NULL REFERENCES entries(id),\n"
	"  target TEXT NOT NULL,\n"
	"  PRIMARY KEY(entry_id, target)\n"
	") STRICT, WITHOUT ROWID;\n"
	"CREATE INDEX entry_links_target ON entry_links(target);\n"
	"CREATE TABLE tags(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL, value TEXT NOT NULL,\n"
	"  UNIQUE(kind, value)\n"
	") STRICT;\n"
	"CREATE TABLE entry_tags(\n"
	"  entry_id INTEGER NOT NULL REFERENCES entries(id),\n"
	"  tag_id INTEGER NOT NULL REFERENCES tags(id),\n"
	"  in_title INTEGER NOT NULL, in_text INTEGER NOT NULL,  -- occurrences\n"
	"  central INTEGER NOT NULL,            -- what the entry is about (parsers/similar.h)\n"
	"  at INTEGER NOT NULL,                 -- these two copy entries.at and .story_id, so\n"
	"  story_id INTEGER,                    -- a tag's stories in a window are one index range\n"
	"  PRIMARY KEY(entry_id, tag_id)\n"
	") STRICT, WITHOUT ROWID;\n"
	"CREATE INDEX entry_tags_window ON entry_tags(tag_id, central, at, story_id);\n"
	"CREATE TABLE terms(                    -- document frequency of words, for similarity\n"
	"  term INTEGER PRIMARY KEY,            -- a 63-bit hash of the word; 0 counts documents\n"
	"  df INTEGER NOT NULL\n"
	") STRICT;\n"
	"CREATE VIRTUAL TABLE entries_fts USING fts5(title, text, content='entries',\n"
	"  content_rowid='id', tokenize='unicode61 remove_diacritics 2');\n"
	"-- external content. store.c indexes each document's new and revised entries at the end\n"
	"-- of its transaction, in two statements: FTS5 flushes its pending terms at every statement\n"
	"-- savepoint, so indexing row by row (triggers) would write a segment per entry. Deleting\n"
	"-- passes the old values ('delete' command) so the index never drifts.\n"
	"CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN\n"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text)\n"
	"  VALUES ('delete', old.id, old.title, old.text);\n"
	"END;\n",
	/* 2: less work per stored entry. SQLite 3.40 checks `x IN (a, b, c)` through a temporary
	 * b-tree built on every run of the statement, so entry_story's CHECK becomes a chain of
	 * comparisons (a table's constraints change only by copying it). entries_canon carries
	 * `at`, so the earliest copy of a URL is the first row of an index range, not a sort.
	 * FTS5 merges its segments 16 at a time instead of 4: each document's commit writes a
	 * segment, and merging 4 at a time rewrote every indexed word about twice as often. Its
	 * "crisis" merge, all of a level at once and on to the next, goes from 16 segments to 64,
	 * else it would preempt the gradual merging at 16 and a run could rewrite most of a large
	 * index in one go (a 2,000-entry import into a 200,000-entry database did).
	 * pending_at goes: a run sorts its pending entries once, and the index cost every stored
	 * entry a write to a random page of it, and every processed one another. */
	"CREATE TABLE entry_story_v2(           -- each processed entry's place in a story\n"
	"  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),\n"
	"  story_id INTEGER NOT NULL REFERENCES stories(id),\n"
	"  relation TEXT NOT NULL\n"
	"    CHECK (relation = 'original' OR relation = 'follow-up' OR relation = 'duplicate'),\n"
	"  related_to INTEGER REFERENCES entries(id),\n"
	"  link_reason TEXT, link_score REAL,   -- why it joined, and how strongly\n"
	"  at INTEGER NOT NULL                  -- entries.at, so that linking reads no entry row\n"
	") STRICT;\n"
	"INSERT INTO entry_story_v2 SELECT entry_id, story_id, relation, related_to, link_reason,\n"
	"  link_score, at FROM entry_story;\n"
	"DROP TABLE entry_story;\n"
	"ALTER TABLE entry_story_v2 RENAME TO entry_story;\n"
	"CREATE INDEX entry_story_story ON entry_story(story_id, at);\n"
	"CREATE INDEX entry_story_related ON entry_story(related_to) WHERE related_to IS NOT NULL;\n"
	"DROP INDEX entries_canon;\n"
	"CREATE INDEX entries_canon ON entries(canon_url, at) WHERE canon_url IS NOT NULL;\n"
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('automerge', 16);\n"
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('crisismerge', 64);\n"
	"DROP INDEX pending_at;\n",
	/* 3: a pending entry carries what its neighbours are found by (story.c finds them for a
	 * whole run at its start, reading no entry row) */
	"ALTER TABLE pending ADD COLUMN canon_url TEXT;\n"
	"ALTER TABLE pending ADD COLUMN title_key TEXT;\n"
	"UPDATE pending SET (canon_url, title_key) =\n"
	"  (SELECT canon_url, title_key FROM entries WHERE entries.id = pending.entry_id);\n",
	/* 4: entry_features in order of processing. Keyed by entry, a run's 40,000 term vectors
	 * (about 1 KB each) went to random pages of a table of tens of megabytes, in order of
	 * publication, each batch rewriting most of its pages; appended, they fill new pages one
	 * after the other, and a story's reports, processed close in time, sit close together. */
	"CREATE TABLE entry_features_v4(        -- a processed entry's words and tags, packed\n"
	"  id INTEGER PRIMARY KEY,              -- in order of processing\n"
	"  entry_id INTEGER NOT NULL UNIQUE REFERENCES entries(id),\n"
	"  features BLOB NOT NULL               -- parsers/similar.h\n"
	") STRICT;\n"
	"INSERT INTO entry_features_v4(entry_id, features) SELECT entry_id, features FROM entry_features;\n"
	"DROP TABLE entry_features;\n"
	"ALTER TABLE entry_features_v4 RENAME TO entry_features;\n",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

/* The statements run for every entry use no RETURNING, DISTINCT, `IN (list)` or ORDER BY that an
 * index does not give: SQLite 3.40 builds a temporary b-tree for each of those on every run,
 * about as much work as the row's own insert. */
static const char *const sql_text[SQL_COUNT] = {
	[SQL_FEED_BY_URL] =
		"SELECT id, identity FROM feeds WHERE url = ?1",
	[SQL_FEED_INSERT] =
		"INSERT INTO feeds(url, added) VALUES (?1, ?2) RETURNING id",
	[SQL_FEED_SET_TITLE] =
		"UPDATE feeds SET title = ?2 WHERE id = ?1 AND title IS NOT ?2",
	[SQL_FEED_IDENTITY] =
		"SELECT identity FROM feeds WHERE id = ?1",
	[SQL_FEED_SET_IDENTITY] =
		"UPDATE feeds SET identity = ?2, identity_note = ?3\n"
		"WHERE id = ?1 AND (identity IS NOT ?2 OR identity_note IS NOT ?3)",
	/* A document that was read but cut short or repaired (?6, the parser's note) is no failure,
	 * yet its note stays the feed's last_error until another document is read: a 304 or the
	 * same body again says nothing new about it. */
	[SQL_FEED_FETCHED] =
		"UPDATE feeds SET last_fetch = ?2, last_status = ?3,\n"
		"  last_error = CASE WHEN ?4 IS NOT NULL THEN ?4 WHEN ?5 THEN ?6\n"
		"    WHEN failures = 0 THEN last_error END,\n"
		"  last_success = CASE WHEN ?4 IS NULL THEN ?2 ELSE last_success END,\n"
		"  failures = CASE WHEN ?4 IS NULL THEN 0 ELSE failures + 1 END\n"
		"WHERE id = ?1",
	[SQL_FEED_STATE] =
		"UPDATE feeds SET etag = ?2, last_modified = ?3, body_hash = ?4,\n"
		"  fetch_url = COALESCE(?5, fetch_url), moved_to = COALESCE(?6, moved_to), next_due = ?7,\n"
		"  ttl = ?8, gone = ?9 WHERE id = ?1",
	[SQL_FEEDS_UNLIST] =
		"UPDATE feeds SET listed = 0 WHERE listed = 1",
	[SQL_FEED_LIST] =
		"INSERT INTO feeds(url, title_override, labels, every, listed, added)\n"
		"VALUES (?1, ?2, ?3, ?4, 1, ?5)\n"
		"ON CONFLICT(url) DO UPDATE SET title_override = excluded.title_override,\n"
		"  labels = excluded.labels, every = excluded.every, listed = 1",
	[SQL_FEEDS_DUE] =
		"SELECT id, url, COALESCE(fetch_url, url), COALESCE(title_override, title, url), etag,\n"
		"  last_modified, body_hash, every, ttl, next_due, failures, gone\n"
		"FROM feeds WHERE listed = 1 AND (?2 OR (next_due <= ?1 AND gone = 0))\n"
		"ORDER BY next_due, id",
	[SQL_FEEDS_HEALTH] =
		"SELECT f.id, f.url, COALESCE(f.title_override, f.title), f.labels, f.listed, f.gone,\n"
		"  (SELECT count(*) FROM entries e WHERE e.feed_id = f.id), f.last_fetch, f.last_success,\n"
		"  f.next_due, f.failures, f.every, f.ttl, f.last_status, f.last_error, f.moved_to,\n"
		"  f.identity_note\n"
		"FROM feeds f ORDER BY f.listed DESC, f.url",
	[SQL_FETCH_INSERT] =
		"INSERT INTO fetches(feed_id, started, ms, status, bytes, entries_new, entries_updated,\n"
		"  error, url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[SQL_ENTRY_CURRENT] =
		"SELECT id, revisions, content_hash FROM entries WHERE feed_id = ?1 AND key = ?2",
	/* A changed text is a new version: the trigger keeps the old one in revisions. An
	 * unchanged entry matches the WHERE of the update not at all and costs no write. */
	[SQL_ENTRY_UPSERT] =
		"INSERT INTO entries(feed_id, key, guid, url, canon_url, title, author, summary, content,\n"
		"  text, categories, enclosures, comments, published, published_raw, updated, at,\n"
		"  first_seen, version_seen, content_hash, title_key)\n"
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,\n"
		"  ?18, ?18, ?19, ?20)\n"
		"ON CONFLICT(feed_id, key) DO UPDATE SET\n"
		"  guid = excluded.guid, url = excluded.url, canon_url = excluded.canon_url,\n"
		"  title = excluded.title, author = excluded.author, summary = excluded.summary,\n"
		"  content = excluded.content, text = excluded.text, categories = excluded.categories,\n"
		"  enclosures = excluded.enclosures, comments = excluded.comments,\n"
		"  updated = excluded.updated, version_seen = excluded.version_seen,\n"
		"  content_hash = excluded.content_hash, title_key = excluded.title_key,\n"
		"  revisions = revisions + 1\n"
		"WHERE content_hash IS NOT excluded.content_hash",
	[SQL_ENTRY_KEYS_OF_FEED] =
		"SELECT id, guid, canon_url, url, title, published_raw FROM entries WHERE feed_id = ?1",
	[SQL_ENTRY_REKEY] =
		"UPDATE entries SET key = ?2 WHERE id = ?1",
	/* indexed: the revision the index holds (NULL for an entry new in this transaction); the
	 * first change sets it, a second change of the same entry in the same transaction keeps it */
	[SQL_FTS_TODO_CREATE] =
		"CREATE TEMP TABLE IF NOT EXISTS fts_todo(id INTEGER PRIMARY KEY, indexed INTEGER)",
	[SQL_FTS_TODO_ADD] =
		"INSERT INTO temp.fts_todo(id, indexed) VALUES (?1, ?2) ON CONFLICT(id) DO NOTHING",
	[SQL_FTS_UNINDEX] =
		"INSERT INTO entries_fts(entries_fts, rowid, title, text)\n"
		"SELECT 'delete', r.entry_id, r.title, r.text FROM temp.fts_todo t\n"
		"  JOIN revisions r ON r.entry_id = t.id AND r.version = t.indexed",
	[SQL_FTS_INDEX] =
		"INSERT INTO entries_fts(rowid, title, text)\n"
		"SELECT e.id, e.title, e.text FROM temp.fts_todo t JOIN entries e ON e.id = t.id",
	[SQL_FTS_TODO_CLEAR] =
		"DELETE FROM temp.fts_todo",
	[SQL_LINK_INSERT] =
		"INSERT OR IGNORE INTO entry_links(entry_id, target) VALUES (?1, ?2)",
	[SQL_LINKS_DELETE] =
		"DELETE FROM entry_links WHERE entry_id = ?1",
	[SQL_PENDING] =
		"SELECT entry_id FROM pending ORDER BY at, entry_id",
	[SQL_PENDING_ADD] =
		"INSERT INTO pending(entry_id, kind, at, canon_url, title_key) VALUES (?1, ?2, ?3, ?4, ?5)\n"
		"ON CONFLICT(entry_id) DO UPDATE SET kind = min(kind, excluded.kind),\n"
		"  canon_url = excluded.canon_url, title_key = excluded.title_key",
	[SQL_ENTRY_WORDS] =
		"SELECT title, text FROM entries WHERE id = ?1",
	[SQL_ENTRY_FOR_LINKING] =
		"SELECT e.at, p.kind, s.relation, e.url, COALESCE(f.title_override, f.title, f.url),\n"
		"  s.story_id\n"
		"FROM pending p JOIN entries e ON e.id = p.entry_id JOIN feeds f ON f.id = e.feed_id\n"
		"  LEFT JOIN entry_story s ON s.entry_id = p.entry_id WHERE p.entry_id = ?1",
	[SQL_ENTRY_DONE] =
		"DELETE FROM pending WHERE entry_id = ?1",
	[SQL_TAG_FIND] =
		"SELECT id FROM tags WHERE kind = ?1 AND value = ?2",
	[SQL_TAG_INSERT] =
		"INSERT INTO tags(kind, value) VALUES (?1, ?2) RETURNING id",
	[SQL_ENTRY_TAGS_DELETE] =
		"DELETE FROM entry_tags WHERE entry_id = ?1",
	[SQL_ENTRY_TAG_INSERT] =
		"INSERT INTO entry_tags(entry_id, tag_id, in_title, in_text, central, at, story_id)\n"
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQL_ENTRY_TAGS_OF] =
		"SELECT et.tag_id, t.kind, et.in_title, et.in_text FROM entry_tags et\n"
		"JOIN tags t ON t.id = et.tag_id WHERE et.entry_id = ?1",
	[SQL_TERM_DF] =
		"SELECT df FROM terms WHERE term = ?1",
	[SQL_TERM_ADD] =
		"INSERT INTO terms(term, df) VALUES (?1, ?2) ON CONFLICT(term) DO UPDATE SET df = df + ?2",
	[SQL_ENTRY_ROLE] =
		"SELECT at, story_id, relation, related_to, link_reason, link_score FROM entry_story\n"
		"WHERE entry_id = ?1",
	[SQL_STORY_INSERT] =
		"INSERT INTO stories(original, first, last) VALUES (?1, ?2, ?2)",
	[SQL_STORY_GET] =
		"SELECT original, first, last FROM stories WHERE id = ?1",
	[SQL_STORY_UPDATE] =
		"UPDATE stories SET original = ?2, first = min(first, ?3), last = max(last, ?3)\n"
		"WHERE id = ?1",
	[SQL_ENTRY_RELATE] =
		"INSERT INTO entry_story(entry_id, story_id, relation, related_to, link_reason, link_score,\n"
		"  at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, COALESCE(?7, (SELECT at FROM entry_story\n"
		"                                             WHERE entry_id = ?1)))\n"
		"ON CONFLICT(entry_id) DO UPDATE SET story_id = excluded.story_id,\n"
		"  relation = excluded.relation, related_to = excluded.related_to,\n"
		"  link_reason = excluded.link_reason, link_score = excluded.link_score",
	[SQL_ENTRY_FEATURES] =
		"INSERT INTO entry_features(entry_id, features) VALUES (?1, ?2)\n"
		"ON CONFLICT(entry_id) DO UPDATE SET features = excluded.features",
	[SQL_REPOINT_FOLLOW_UPS] =
		"UPDATE entry_story SET related_to = ?2 WHERE story_id = ?1 AND relation = 'follow-up'",
	[SQL_REPOINT_DUPLICATES] =
		"UPDATE entry_story SET related_to = ?2 WHERE related_to = ?1 AND relation = 'duplicate'",
	/* stories of the entries this entry links to; a story once per entry it is reached
	 * through (the linker counts it once per query) */
	/* A run's new entries' neighbours by what processing does not change, each query once per
	 * run, in pending order and each entry's neighbours in the order story.c weighs them
	 * (story.c keeps those that have a story when it gets there). The entries its text links
	 * to... */
	[SQL_NEAR_LINKED_TO] =
		"SELECT p.entry_id, e.id FROM pending p JOIN entry_links l ON l.entry_id = p.entry_id\n"
		"  JOIN entries e ON e.canon_url = l.target\n"
		"WHERE p.kind = 1 ORDER BY p.entry_id, l.target, e.at, e.id",
	/* ... the entries that link to it ... */
	[SQL_NEAR_LINKING_IN] =
		"SELECT p.entry_id, l.entry_id FROM pending p JOIN entry_links l ON l.target = p.canon_url\n"
		"WHERE p.kind = 1 ORDER BY p.entry_id, l.entry_id",
	/* ... the entries with its canonical URL, earliest first ... */
	[SQL_NEAR_SAME_URL] =
		"SELECT p.entry_id, e.id FROM pending p JOIN entries e ON e.canon_url = p.canon_url\n"
		"WHERE p.kind = 1 AND e.id != p.entry_id ORDER BY p.entry_id, e.at, e.id",
	/* ... and the entries with its normalised title within ?1 seconds of it, earliest first */
	[SQL_NEAR_SAME_TITLE] =
		"SELECT p.entry_id, e.id FROM pending p JOIN entries e ON e.title_key = p.title_key\n"
		"  AND e.at BETWEEN p.at - ?1 AND p.at + ?1\n"
		"WHERE p.kind = 1 AND p.title_key != '' AND e.id != p.entry_id\n"
		"ORDER BY p.entry_id, e.at, e.id",
	/* a tag's central reports with a story in a span of time, in the index's order (an
	 * index-only range, no sorting); story.c keeps them per tag for the run */
	[SQL_TAG_REPORTS] =
		"SELECT at, story_id, entry_id FROM entry_tags WHERE tag_id = ?1 AND central = 1\n"
		"  AND at BETWEEN ?2 AND ?3 AND story_id IS NOT NULL ORDER BY at, story_id, entry_id",
	[SQL_ENTRY_TAG_REPORTS] =
		"SELECT tag_id FROM entry_tags WHERE entry_id = ?1 AND central = 1 AND story_id IS NOT NULL",
	[SQL_STORY_MEMBERS] =
		"SELECT s.entry_id, f.features FROM entry_story s\n"
		"  LEFT JOIN entry_features f ON f.entry_id = s.entry_id\n"
		"WHERE s.story_id = ?1 AND s.relation != 'duplicate' ORDER BY s.at DESC LIMIT 24",
	[SQL_ALL_ENTRIES] =
		"SELECT e.id, e.title, e.text, e.at, s.story_id FROM entries e\n"
		"  LEFT JOIN entry_story s ON s.entry_id = e.id ORDER BY e.id",
	[SQL_EXPORT_JSONL] =
		"SELECT json_object('id', e.id, 'feed', f.url, 'guid', e.guid, 'url', e.url,\n"
		"  'title', e.title,\n"
		"  'published', strftime('%Y-%m-%dT%H:%M:%SZ', e.published, 'unixepoch'),\n"
		"  'first_seen', strftime('%Y-%m-%dT%H:%M:%SZ', e.first_seen, 'unixepoch'),\n"
		"  'revisions', e.revisions,\n"
		"  'tags', json((SELECT json_group_array(tag) FROM (SELECT t.kind || ':' || t.value AS tag\n"
		"     FROM entry_tags et JOIN tags t ON t.id = et.tag_id WHERE et.entry_id = e.id\n"
		"     ORDER BY t.kind, t.value))),\n"
		"  'story', s.story_id, 'relation', s.relation, 'related_to', s.related_to)\n"
		"FROM entries e JOIN feeds f ON f.id = e.feed_id LEFT JOIN entry_story s ON s.entry_id = e.id\n"
		"WHERE e.at >= ?1 AND (?2 IS NULL OR f.url = ?2)\n"
		"ORDER BY e.at, e.id",
	[SQL_EXPORT_CSV] =
		"SELECT e.id, f.url, e.guid, e.url, e.title,\n"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', e.published, 'unixepoch'),\n"
		"  strftime('%Y-%m-%dT%H:%M:%SZ', e.first_seen, 'unixepoch'), e.revisions,\n"
		"  (SELECT group_concat(tag, ';') FROM (SELECT t.kind || ':' || t.value AS tag\n"
		"     FROM entry_tags et JOIN tags t ON t.id = et.tag_id WHERE et.entry_id = e.id\n"
		"     ORDER BY t.kind, t.value)),\n"
		"  s.story_id, s.relation, s.related_to\n"
		"FROM entries e JOIN feeds f ON f.id = e.feed_id LEFT JOIN entry_story s ON s.entry_id = e.id\n"
		"WHERE e.at >= ?1 AND (?2 IS NULL OR f.url = ?2)\n"
		"ORDER BY e.at, e.id",
	[SQL_SEARCH] =
		"SELECT e.id, e.at, f.url, COALESCE(f.title_override, f.title, f.url), e.title, e.url,\n"
		"  snippet(entries_fts, 1, '[', ']', '...', 16)\n"
		"FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid\n"
		"  JOIN feeds f ON f.id = e.feed_id\n"
		"WHERE entries_fts MATCH ?1 AND e.at >= ?2\n"
		"  AND (?3 IS NULL OR EXISTS (SELECT 1 FROM entry_tags et JOIN tags t ON t.id = et.tag_id\n"
		"       WHERE et.entry_id = e.id AND t.kind = ?3 AND t.value = ?4 COLLATE NOCASE))\n"
		"ORDER BY e.at DESC, e.id DESC LIMIT ?5",
	[SQL_STORIES] =
		"SELECT s.id, s.first, s.last, count(e.id), count(DISTINCT e.feed_id), o.title, o.url\n"
		"FROM stories s JOIN entry_story m ON m.story_id = s.id JOIN entries e ON e.id = m.entry_id\n"
		"  LEFT JOIN entries o ON o.id = s.original\n"
		"WHERE s.last >= ?1\n"
		"  AND (?2 IS NULL OR EXISTS (SELECT 1 FROM entry_story x JOIN entry_tags et\n"
		"       ON et.entry_id = x.entry_id JOIN tags t ON t.id = et.tag_id\n"
		"       WHERE x.story_id = s.id AND t.kind = ?2 AND t.value = ?3 COLLATE NOCASE))\n"
		"GROUP BY s.id ORDER BY s.last DESC, s.id DESC LIMIT ?4",
	[SQL_STORY_HEAD] =
		"SELECT s.id, s.first, s.last, count(e.id), count(DISTINCT e.feed_id), o.title, o.url\n"
		"FROM stories s JOIN entry_story m ON m.story_id = s.id JOIN entries e ON e.id = m.entry_id\n"
		"  LEFT JOIN entries o ON o.id = s.original WHERE s.id = ?1 GROUP BY s.id",
	[SQL_STORY_TIMELINE] =
		"SELECT e.id, e.at, e.first_seen, m.related_to, m.relation,\n"
		"  COALESCE(f.title_override, f.title, f.url), f.url, e.title, e.url, m.link_reason,\n"
		"  m.link_score, e.revisions, e.text\n"
		"FROM entry_story m JOIN entries e ON e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id\n"
		"WHERE m.story_id = ?1\n"
		"ORDER BY e.at, e.id",
	[SQL_ENTRY_TAG_NAMES] =
		"SELECT t.kind || ':' || t.value FROM entry_tags et JOIN tags t ON t.id = et.tag_id\n"
		"WHERE et.entry_id = ?1 ORDER BY t.kind, t.value",
	[SQL_REVISIONS_OF] =
		"SELECT version, seen, replaced, title, text FROM revisions WHERE entry_id = ?1\n"
		"ORDER BY version",
};

struct db {
	sqlite3 *handle;
	struct checkpointer *checkpointer; /* a writer's, when it could be had */
	sqlite3_stmt *stmts[SQL_COUNT];
	bool writable;
	char error[512];
};

void db_set_error(struct db *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->error, sizeof db->error, fmt, ap);
	va_end(ap);
}

/* Takes SQLite's message for the handle's last error. */
static void take_error(struct db *db)
{
	db_set_error(db, "%s", sqlite3_errmsg(db->handle));
}

const char *db_error(struct db *db)
{
	return db->error;
}

sqlite3 *db_handle(struct db *db)
{
	return db->handle;
}

static int exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->handle, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	db_set_error(db, "%s", msg ? msg : sqlite3_errmsg(db->handle));
	sqlite3_free(msg);
	return -1;
}

static int pragma_int(struct db *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL) != SQLITE_OK) {
		take_error(db);
		return -1;
	}
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		take_error(db);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Brings the schema to SCHEMA_VERSION, or explains why this database is not ours to touch. */
static int migrate(struct db *db, const char *path)
{
	int version, app_id, tables;
	char sql[128];

	if (pragma_int(db, "PRAGMA user_version", &version) < 0 ||
	    pragma_int(db, "PRAGMA application_id", &app_id) < 0 ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_schema", &tables) < 0)
		return -1;
	if ((version > 0 || tables > 0) && app_id != NEWSMON_APPLICATION_ID) {
		db_set_error(db, "%s is an SQLite database of another program, not newsmon's; "
		                 "give another path with --db", path);
		return -1;
	}
	if (version > SCHEMA_VERSION) {
		db_set_error(db, "%s has schema version %d, newer than this newsmon understands (%d); "
		                 "use a newer newsmon", path, version, SCHEMA_VERSION);
		return -1;
	}
	for (; version < SCHEMA_VERSION; version++) {
		if (!db->writable) {
			db_set_error(db, "%s needs a schema upgrade (version %d to %d) but is opened "
			                 "read-only; run a writing command (import, crawl) first",
			             path, version, SCHEMA_VERSION);
			return -1;
		}
		if (db_begin(db) < 0)
			return -1;
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
		         NEWSMON_APPLICATION_ID, version + 1);
		if (exec(db, migrations[version]) < 0 || exec(db, sql) < 0 || db_commit(db) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return 0;
}

/* A connection never crosses threads here, so SQLite's mutexes only cost: the connection's
 * (SQLITE_OPEN_NOMUTEX) around every call, and the allocator's around every malloc, there to
 * keep memory statistics nobody reads. Together 5% of an import's instructions. */
static void sqlite_setup(void)
{
	/* SQLITE_MISUSE once SQLite is initialised: then the statistics stay, and cost only time */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct db *db_open(const char *path, enum db_mode mode, char *err, size_t errsize)
{
	static once_flag setup = ONCE_FLAG_INIT;
	struct db *db = calloc(1, sizeof *db);
	int flags = mode == DB_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
	                             : SQLITE_OPEN_READONLY;

	call_once(&setup, sqlite_setup);
	if (db == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->handle, flags | SQLITE_OPEN_NOMUTEX, walvfs_name()) !=
	    SQLITE_OK) {
		db_set_error(db, "%s: %s", path, db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
		goto fail;
	}
	db->writable = mode == DB_WRITE;
	if (db->writable && sqlite3_db_readonly(db->handle, "main") == 1) {
		db_set_error(db, "%s is read-only; newsmon needs to write it", path);
		goto fail;
	}
	sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->handle, 1);
	/* journal_mode needs a write; a read-only open of a WAL database still reads it */
	/* DB_CACHE_KIB of page cache (db.h), as small as a crawl's memory budget asks. The
	 * checkpoints run on a thread of their own (checkpoint.h), else SQLite's own do at the
	 * same size. The WAL is removed when the last connection closes. */
	if ((db->writable &&
	     (exec(db, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = "
	               STRINGIFY(CHECKPOINT_FRAMES)) < 0 ||
	      db_cache_size(db, DB_CACHE_KIB) < 0)) ||
	    exec(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON") < 0) {
		char reason[512];
		snprintf(reason, sizeof reason, "%s", db->error);
		db_set_error(db, "%s: %s", path, reason);
		goto fail;
	}
	if (db->writable)
		db->checkpointer = checkpointer_new(db->handle, path, walvfs_name(), CHECKPOINT_FRAMES);
	if (migrate(db, path) < 0) {
		if (strncmp(db->error, path, strlen(path)) != 0) {
			char reason[512];
			snprintf(reason, sizeof reason, "%s", db->error);
			db_set_error(db, "%s: %s", path, reason);
		}
		goto fail;
	}
	return db;
fail:
	/* SQLite's message for this, "attempt to write a readonly database", blames a file that
	 * may well be writable: WAL needs to create PATH-wal and PATH-shm beside it */
	if (db->handle && sqlite3_extended_errcode(db->handle) == SQLITE_READONLY_DIRECTORY)
		db_set_error(db, "%s: cannot create the files SQLite keeps beside it (-wal, -shm): "
		                 "its directory is not writable", path);
	snprintf(err, errsize, "%s", db->error);
	db_close(db);
	return NULL;
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	checkpointer_free(db->checkpointer);
	for (int i = 0; i < SQL_COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	if (db->handle && db->writable && !sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
	/* No PRAGMA optimize: it would ANALYZE a young database, and SQLite 3.40 keeps those
	 * statistics until a table grows manyfold. Planned with "entries: 2 rows", the story
	 * candidate query walks entry_story_story for every tag, and the next large crawl links 20
	 * times slower. The statements are written for index range scans that need no statistics. */
	sqlite3_close(db->handle);
	free(db);
}

sqlite3_stmt *db_stmt(struct db *db, enum db_sql id)
{
	sqlite3_stmt *st = db->stmts[id];

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(db->handle, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
	                       NULL) != SQLITE_OK) {
		take_error(db);
		return NULL;
	}
	db->stmts[id] = st;
	return st;
}

int db_cache_size(struct db *db, int kib)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kib);
	return exec(db, sql);
}

int db_begin(struct db *db)
{
	return exec(db, "BEGIN IMMEDIATE");
}

int db_commit(struct db *db)
{
	return exec(db, "COMMIT");
}

void db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

int db_bind_text(sqlite3_stmt *st, int index, const char *s)
{
	return s ? sqlite3_bind_text(st, index, s, (int)strlen(s), SQLITE_TRANSIENT)
	         : sqlite3_bind_null(st, index);
}

int db_bind_int64_or_null(sqlite3_stmt *st, int index, int64_t v, int64_t none)
{
	return v == none ? sqlite3_bind_null(st, index) : sqlite3_bind_int64(st, index, v);
}

int db_exec_stmt(struct db *db, sqlite3_stmt *st)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		take_error(db);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

int db_end_rows(struct db *db, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		take_error(db);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

const char *db_text(sqlite3_stmt *st, int column)
{
	const unsigned char *s = sqlite3_column_text(st, column);

	return s ? (const char *)s : "";
}
