/*
 * encoding.c — decides a document's encoding and converts it to valid UTF-8.
 *
 * The policy (enc_to_utf8), in order:
 *  1. A byte-order mark wins: it cannot be there by accident.
 *  2. Without one, "<?xml" written in UTF-16 or UTF-32 (XML 1.0 appendix F) names that family.
 *  3. Otherwise the encoding in the XML declaration, else the HTTP charset, else UTF-8.
 *     RFC 7303 would rank the HTTP charset first, but servers attach a default charset to every
 *     text/xml response (often ISO-8859-1 to UTF-8 feeds) while the declaration was written by
 *     the software that wrote the document, so the declaration is the better witness.
 *  4. The label is then checked against the bytes, because feeds are mislabelled all the time:
 *     - ISO-8859-1 and US-ASCII are read as windows-1252, as browsers do (WHATWG Encoding):
 *       publishers who say Latin-1 type curly quotes from the 0x80-0x9F range;
 *     - a single-byte label on bytes that are valid UTF-8 with multi-byte sequences is wrong
 *       (legacy text is practically never valid UTF-8 by chance), so UTF-8 it is;
 *     - a UTF-16/UTF-32 label on a document whose declaration we could read in ASCII is wrong;
 *     - an encoding iconv does not know is read as UTF-8.
 *  5. Bytes invalid in UTF-8 are read one by one as windows-1252 (stray Latin-1 bytes in a
 *     UTF-8 document, or an undeclared Latin-1 document, become the characters meant); bytes
 *     invalid in other encodings become U+FFFD. Control characters XML forbids (C0 other than
 *     tab, LF, CR) are removed. Each of these counts as a repair.
 * Valid UTF-8 without forbidden characters, the common case, is returned without a copy.
 */
#include "parsers/encoding.h"
#include "parsers/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/buf.h"

/* windows-1252 0x80..0x9F; 0 where it has no character (U+FFFD then). */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Labels whose meaning differs from what iconv would do with them, lower case. Labels not
 * listed go to iconv as written. */
static const struct {
	const char *label, *encoding;
} label_map[] = {
	{"ansi_x3.4-1968", "windows-1252"}, {"ascii", "windows-1252"},
	{"cp1252", "windows-1252"},         {"cp819", "windows-1252"},
	{"ibm819", "windows-1252"},         {"iso-8859-1", "windows-1252"},
	{"iso-8859-9", "windows-1254"},     {"iso-ir-100", "windows-1252"},
	{"iso8859-1", "windows-1252"},      {"iso_8859-1", "windows-1252"},
	{"iso_8859-1:1987", "windows-1252"}, {"l1", "windows-1252"},
	{"latin1", "windows-1252"},         {"latin5", "windows-1254"},
	{"unicode-1-1-utf-8", "UTF-8"},     {"us-ascii", "windows-1252"},
	{"utf-8", "UTF-8"},                 {"utf8", "UTF-8"},
	{"windows-1252", "windows-1252"},   {"x-cp1252", "windows-1252"},
};

static bool is_utf16_or_32(const char *enc)
{
	return strncasecmp(enc, "utf-16", 6) == 0 || strncasecmp(enc, "utf16", 5) == 0 ||
	       strncasecmp(enc, "utf-32", 6) == 0 || strncasecmp(enc, "utf32", 5) == 0 ||
	       strncasecmp(enc, "ucs", 3) == 0 || strcasecmp(enc, "unicode") == 0;
}

/* Copies a charset label (trimmed, unquoted) into out; returns 0 when there is none. */
static size_t copy_label(char *out, size_t size, const char *s, size_t len)
{
	size_t n = 0;

	while (len && (*s == ' ' || *s == '"' || *s == '\'')) {
		s++;
		len--;
	}
	/* encoding names are ASCII letters, digits and . _ : - (XML 1.0 [81] EncName); anything
	 * else ends the label, so a hostile label can never put odd bytes into the result */
	while (n < len && n + 1 < size &&
	       ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	        (s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == '_' || s[n] == ':' ||
	        s[n] == '-'))
		n++;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

/* Finds encoding="..." in an XML declaration near the start of the document. */
static size_t declared_encoding(const char *data, size_t len, char *out, size_t size)
{
	size_t window = len < 1024 ? len : 1024;
	const char *decl = memmem(data, window, "<?xml", 5), *end, *enc;

	if (decl == NULL)
		return 0;
	end = memmem(decl, window - (size_t)(decl - data), "?>", 2);
	if (end == NULL)
		return 0;
	enc = memmem(decl, (size_t)(end - decl), "encoding", 8);
	if (enc == NULL)
		return 0;
	enc += 8;
	while (enc < end && (*enc == ' ' || *enc == '\t' || *enc == '\r' || *enc == '\n'))
		enc++;
	if (enc >= end || *enc != '=')
		return 0;
	enc++;
	while (enc < end && (*enc == ' ' || *enc == '\t' || *enc == '\r' || *enc == '\n'))
		enc++;
	return copy_label(out, size, enc, (size_t)(end - enc));
}

/* Length of the valid UTF-8 sequence at s, or 0 when the sequence is invalid (overlong,
 * surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return len >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

static bool forbidden_control(unsigned char c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

/* For a word of eight ASCII bytes of which those flagged in control (top bit) are below 0x20:
 * whether they are all tab, LF or CR. Adding 0x7F to b ^ c sets the top bit of exactly the
 * bytes other than c: no carry crosses into the next byte. */
static bool controls_allowed(uint64_t x, uint64_t control)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t tab = ~((x ^ 0x09 * ones) + 0x7F * ones) & high;
	uint64_t lf = ~((x ^ 0x0A * ones) + 0x7F * ones) & high;
	uint64_t cr = ~((x ^ 0x0D * ones) + 0x7F * ones) & high;

	return (control & ~(tab | lf | cr)) == 0;
}

/* Whether 8 bytes are ASCII text XML allows (no byte above 0x7F, none below 0x20 but tab, LF
 * and CR), to be skipped whole. Adding 0x60 to a byte below 0x80 sets its top bit exactly when
 * it is 0x20 or above. */
static inline bool word_is_text(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t x, control;

	memcpy(&x, p, 8);
	if (x & high)
		return false;
	control = ~(x + 0x60 * ones) & high;
	return control == 0 || controls_allowed(x, control);
}

/* Scans UTF-8 text. Returns true when it is all valid and free of forbidden controls; sets
 * *multibyte when it holds at least one multi-byte sequence. */
static bool utf8_clean(const char *data, size_t len, bool *multibyte)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0, n;

	*multibyte = false;
	while (i < len) {
		if (len - i >= 8 && word_is_text(s + i)) {
			i += 8;
			continue;
		}
		if (s[i] < 0x80) {
			if (forbidden_control(s[i]))
				return false;
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i);
		if (n == 0)
			return false;
		*multibyte = true;
		i += n;
	}
	return true;
}

size_t enc_utf8_valid_prefix(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len && (n = utf8_seq((const unsigned char *)s + i, len - i)) > 0)
		i += n;
	return i;
}

static int put_cp(struct buf *b, uint32_t cp)
{
	char t[4];

	return buf_append(b, t, utf8_encode(cp, t));
}

/* One byte read as windows-1252 (the fallback for bytes that are not UTF-8). */
static uint32_t cp1252(unsigned char c)
{
	uint32_t cp;

	if (c < 0x80 || c >= 0xA0)
		return c;
	cp = cp1252_high[c - 0x80];
	return cp ? cp : 0xFFFD;
}

/* UTF-8 with repairs: invalid bytes read as windows-1252, forbidden controls removed. */
static int repair_utf8(const char *data, size_t len, struct buf *b, struct enc_result *out)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0, n = 0, run;

	while (i < len) {
		run = 0;
		while (i + run < len) {
			const unsigned char *p = s + i + run;
			if (len - i - run >= 8 && word_is_text(p)) {
				run += 8;
				continue;
			}
			if (*p < 0x80 ? forbidden_control(*p) : (n = utf8_seq(p, len - i - run)) == 0)
				break;
			run += *p < 0x80 ? 1 : n;
		}
		if (buf_append(b, s + i, run) < 0)
			return -1;
		i += run;
		if (i == len)
			break;
		if (s[i] < 0x80)
			out->controls++;
		else if (put_cp(b, cp1252(s[i])) < 0)
			return -1;
		else
			out->repairs++;
		i++;
	}
	return 0;
}

/* The number of bytes of s[0..len) above 0x7F. */
static size_t count_high(const unsigned char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint64_t x;

	/* the top bits moved to the bottom of each byte, then summed into the top byte */
	for (; len - i >= 8; i += 8) {
		memcpy(&x, s + i, 8);
		n += (size_t)((((x >> 7) & 0x0101010101010101ull) * 0x0101010101010101ull) >> 56);
	}
	for (; i < len; i++)
		n += s[i] >> 7;
	return n;
}

/* windows-1252 to UTF-8 into a buffer reserved once: a byte above 0x7F becomes at most three
 * (U+20AC), and runs of ASCII are copied whole. */
static int decode_cp1252(const char *data, size_t len, struct buf *b, struct enc_result *res)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0, run;
	char *out;

	if (buf_reserve(b, len + 2 * count_high(s, len)) < 0)
		return -1;
	out = b->data + b->len;
	while (i < len) {
		for (run = i; len - run >= 8 && word_is_text(s + run); run += 8)
			;
		while (run < len && s[run] < 0x80 && !forbidden_control(s[run]))
			run++;
		memcpy(out, s + i, run - i);
		out += run - i;
		i = run;
		if (i == len)
			break;
		if (s[i] < 0x80) {
			res->controls++;
		} else {
			uint32_t cp = cp1252(s[i]);
			if (cp == 0xFFFD)
				res->repairs++;
			out += utf8_encode(cp, out);
		}
		i++;
	}
	b->len = (size_t)(out - b->data);
	b->data[b->len] = '\0';
	return 0;
}

/* Any other encoding through iconv. Returns 0, -1 when out of memory, 1 when iconv does not
 * know the encoding. */
static int decode_iconv(const char *data, size_t len, const char *encoding, struct buf *b,
                        struct enc_result *out)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	char *in = (char *)data, *outp;
	size_t inleft = len, outleft, before;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return 1;
	while (inleft > 0) {
		if (buf_reserve(b, inleft * 2 + 16) < 0) {
			rc = -1;
			break;
		}
		outp = b->data + b->len;
		outleft = b->cap - b->len - 1;
		before = outleft;
		size_t r = iconv(cd, &in, &inleft, &outp, &outleft);
		b->len += before - outleft;
		b->data[b->len] = '\0';
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ (invalid here) or EINVAL (cut off at the end): replace one byte */
		if (buf_append(b, "\xEF\xBF\xBD", 3) < 0) {
			rc = -1;
			break;
		}
		out->repairs++;
		in++;
		inleft--;
	}
	iconv_close(cd);
	return rc;
}

/* Removes forbidden controls from UTF-8 produced by iconv (they are valid in most encodings). */
static void drop_controls(struct buf *b, struct enc_result *out)
{
	size_t r = 0, w = 0;

	for (; r < b->len; r++) {
		if (forbidden_control((unsigned char)b->data[r]))
			out->controls++;
		else
			b->data[w++] = b->data[r];
	}
	b->len = w;
	if (b->data)
		b->data[w] = '\0';
}

static void set_encoding(struct enc_result *out, const char *name)
{
	snprintf(out->encoding, sizeof out->encoding, "%s", name);
}

/* Which encoding the label names for our purposes (label_map, else the label itself). */
static const char *normalise_label(const char *label)
{
	char lower[40];
	size_t i;

	for (i = 0; label[i] && i < sizeof lower - 1; i++)
		lower[i] = (char)((label[i] >= 'A' && label[i] <= 'Z') ? label[i] | 0x20 : label[i]);
	lower[i] = '\0';
	for (i = 0; i < sizeof label_map / sizeof *label_map; i++)
		if (strcmp(lower, label_map[i].label) == 0)
			return label_map[i].encoding;
	return label;
}

int enc_to_utf8(const char *data, size_t len, const char *http_charset, struct enc_result *out)
{
	const unsigned char *s = (const unsigned char *)data;
	struct buf b = {0};
	char label[40] = "";
	const char *enc = NULL;
	size_t skip = 0;
	bool multibyte, labelled = false;
	int rc;

	memset(out, 0, sizeof *out);
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		enc = "UTF-8", skip = 3;
	else if (len >= 4 && s[0] == 0xFF && s[1] == 0xFE && s[2] == 0 && s[3] == 0)
		enc = "UTF-32LE", skip = 4;
	else if (len >= 4 && s[0] == 0 && s[1] == 0 && s[2] == 0xFE && s[3] == 0xFF)
		enc = "UTF-32BE", skip = 4;
	else if (len >= 2 && s[0] == 0xFF && s[1] == 0xFE)
		enc = "UTF-16LE", skip = 2;
	else if (len >= 2 && s[0] == 0xFE && s[1] == 0xFF)
		enc = "UTF-16BE", skip = 2;
	else if (len >= 4 && s[0] == '<' && s[1] == 0 && s[2] == '?' && s[3] == 0)
		enc = "UTF-16LE";
	else if (len >= 4 && s[0] == 0 && s[1] == '<' && s[2] == 0 && s[3] == '?')
		enc = "UTF-16BE";
	else if (declared_encoding(data, len, label, sizeof label) ||
	         (http_charset && copy_label(label, sizeof label, http_charset, strlen(http_charset))))
		enc = normalise_label(label), labelled = true;
	else
		enc = "UTF-8";

	if (labelled && is_utf16_or_32(enc)) {
		out->note = "declared a UTF-16/32 encoding but is not; read as UTF-8";
		enc = "UTF-8";
	}
	data += skip;
	len -= skip;

	if (labelled && strcmp(enc, "UTF-8") != 0 &&
	    utf8_clean(data, len, &multibyte) && multibyte) {
		out->note = "declared a single-byte encoding but is valid UTF-8; read as UTF-8";
		enc = "UTF-8";
	}
	set_encoding(out, enc);

	if (strcmp(enc, "UTF-8") == 0) {
		if (utf8_clean(data, len, &multibyte)) {
			out->data = data;
			out->len = len;
			return 0;
		}
		rc = repair_utf8(data, len, &b, out);
	} else if (strcmp(enc, "windows-1252") == 0) {
		rc = decode_cp1252(data, len, &b, out);
	} else {
		rc = decode_iconv(data, len, enc, &b, out);
		if (rc == 1) {
			out->note = "declares an encoding this system does not know; read as UTF-8";
			set_encoding(out, "UTF-8");
			buf_reset(&b);
			rc = repair_utf8(data, len, &b, out);
		} else if (rc == 0) {
			drop_controls(&b, out);
		}
	}
	if (rc < 0) {
		buf_free(&b);
		return -1;
	}
	out->len = b.len;
	out->owned = buf_steal(&b);
	if (out->owned == NULL)
		return -1;
	out->data = out->owned;
	return 0;
}

void enc_result_free(struct enc_result *r)
{
	free(r->owned);
	memset(r, 0, sizeof *r);
}
