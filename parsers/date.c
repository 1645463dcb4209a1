/*
 * date.c — the feed date parser (see date.h).
 *
 * Accepted forms (any letter case; any run of spaces counts as one):
 *
 *   RFC 822/1123/2822 and relatives, day first:
 *     [Weekday[,]] D[D][.|st|nd|rd|th|er] Month[.][,] YY[YY] [HH:MM[:SS]] [zone] [(comment)]
 *     "Mon, 06 Jul 2020 10:00:00 +0800", "6 July 2020 10:00 GMT", "Monday, 06-Jul-20 10:00:00 GMT"
 *     (RFC 850), "Mon, 13 Feb, 2012 06:28 UTC", "6. Juli 2020", "6 de julio de 2020".
 *   Month first: [Weekday[,]] Month D[D][st|nd|rd|th][,] YYYY [time]:
 *     "July 6, 2020 10:00 AM", "Monday, July 6, 2020 - 10:00", "Sat, Dec 16 2023 02:02:33 PM",
 *     "Thu Aug 30 2012 17:26:16 GMT+0200 (CEST)"; asctime and Twitter put the year last:
 *     "Sun Jan  4 16:29:06 2004", "Sun Jul 15 01:16:00 +0000 2012".
 *   RFC 3339 / ISO 8601 / W3CDTF: YYYY, YYYY-MM, YYYY-MM-DD, the last followed by T or spaces
 *     and HH:MM[:SS[.fraction]] [zone]; basic YYYYMMDD[THHMM[SS]]; '/' or '.' may replace '-'
 *     ("2020/07/06 10:00"); a weekday may precede ("Fri, 2006/09/15 08:19:53 EDT").
 *   Numeric day and month with a 4-digit year: D.M.YYYY is day first (nobody writes the dotted
 *     form month first). D/M/YYYY and D-M-YYYY are read only when the order is certain: one
 *     number is above 12, or both are equal. "07/06/2020" (US 6 July, or 7 June elsewhere) is
 *     refused rather than guessed.
 *
 * Times: 1-2 digit hours, AM/PM ("10 PM", "10:00 a.m."), "Uhr" after the time; 24:00:00 is the
 * end of the day (the next day's 00:00:00); a leap second :60 reads as :59; fractions are
 * dropped. Between date and time may stand ',', '-', an en dash, '@', '|', "at" or "um".
 *
 * Years: 2-digit years in the day-first forms follow RFC 2822 4.3 (00-49 -> 20xx, 50-99 ->
 * 19xx) and 3-digit ones 100-199 add 1900 (tm_year printed as is); all other forms need 4 digits. The UTC result must fall in
 * the years 1000-9999 (DATE_MIN..DATE_MAX), so that date_format() can always write it.
 *
 * Zones: Z, +HH, +HHMM, +HH:MM (at most 14 hours), GMT/UTC/UT alone or with an offset ("GMT+8",
 * "UTC+08:00"), Etc/GMT, and the names in words[] below. Ambiguous names take the meaning feeds
 * use most: CST, MST, EST and AST are North American as in RFC 822 (not China, Malaysia,
 * Australia or Arabia), IST is India (+05:30, not Ireland or Israel), BST is British Summer
 * Time (not Bangladesh); SST (Samoa or Singapore) is left out. ET, CT, MT and PT are North
 * American with daylight saving time by the US rules of the date's year (from 1987; earlier
 * dates with these names are refused). The military letters other than Z have reversed signs
 * in RFC 822, so as RFC 2822 4.3 says they are taken as -0000, i.e. UTC. A numeric offset
 * followed by a name ("-0700 PDT") uses the number. An unknown zone name makes the date
 * DATE_NONE (a guess could be 14 hours off); no zone at all means UTC.
 *
 * Month and weekday names: English, German, French, Spanish, Italian, Portuguese and Dutch,
 * full and abbreviated, with or without the dot. Weekdays are skipped, never checked: a wrong
 * weekday does not reject the date. "mar" is Tuesday in French, Spanish and Italian and March
 * elsewhere: it is a weekday when the rest reads as a date that way ("mar, 16 nov 2022"),
 * else March ("Mar 16, 2022").
 *
 * Anything else is DATE_NONE: another word, a bare number other than a 4-digit year, trailing
 * junk, a field out of range (day 31 of a 30-day month, February 29 of a common year, hour 25).
 *
 * One pass over the text with at most one retry (for "mar"), no allocation, no libc time
 * functions: days_from_civil() below does the calendar arithmetic.
 */
#include "parsers/date.h"

#include <stdlib.h>
#include <string.h>

#define WORD_MAX 16 /* the longest name in words[] plus its NUL */

enum {
	W_WEEKDAY = 1, /* a weekday name: skipped */
	W_ZONE = 2,    /* a zone; .zone is its offset in minutes east of UTC */
	W_ZONE_US = 4, /* .zone is standard time; US daylight saving time applies (ET, CT, MT, PT) */
	W_UTC = 8,     /* GMT, UTC, UT: may carry an offset ("GMT+8") */
	W_FILLER = 16, /* only joins parts: "6 de julio de 2020", "6th of July", "at 10:00" */
	W_ETC = 32,    /* the "Etc" of "Etc/GMT" */
	W_CLOCK = 64,  /* may follow a time: "10:00 Uhr" */
};

struct word {
	const char *name;    /* lower case UTF-8 */
	unsigned char month; /* 1-12, or 0 when the name is not a month */
	unsigned char flags; /* W_* */
	short zone;          /* minutes east of UTC, with W_ZONE */
};

/* Every name a date may contain, sorted bytewise (strcmp) for bsearch(): keep it so. */
static const struct word words[] = {
	{ "a", 0, W_ZONE, 0 },
	{ "abr", 4, 0, 0 },
	{ "abril", 4, 0, 0 },
	{ "acdt", 0, W_ZONE, 630 },
	{ "acst", 0, W_ZONE, 570 },
	{ "adt", 0, W_ZONE, -180 },
	{ "aedt", 0, W_ZONE, 660 },
	{ "aest", 0, W_ZONE, 600 },
	{ "ago", 8, 0, 0 },
	{ "agosto", 8, 0, 0 },
	{ "akdt", 0, W_ZONE, -480 },
	{ "akst", 0, W_ZONE, -540 },
	{ "aout", 8, 0, 0 },
	{ "août", 8, 0, 0 },
	{ "apr", 4, 0, 0 },
	{ "april", 4, 0, 0 },
	{ "aprile", 4, 0, 0 },
	{ "art", 0, W_ZONE, -180 },
	{ "ast", 0, W_ZONE, -240 },
	{ "at", 0, W_FILLER, 0 },
	{ "aug", 8, 0, 0 },
	{ "august", 8, 0, 0 },
	{ "augustus", 8, 0, 0 },
	{ "avr", 4, 0, 0 },
	{ "avril", 4, 0, 0 },
	{ "awst", 0, W_ZONE, 480 },
	{ "b", 0, W_ZONE, 0 },
	{ "brst", 0, W_ZONE, -120 },
	{ "brt", 0, W_ZONE, -180 },
	{ "bst", 0, W_ZONE, 60 },
	{ "c", 0, W_ZONE, 0 },
	{ "cat", 0, W_ZONE, 120 },
	{ "cdt", 0, W_ZONE, -300 },
	{ "cest", 0, W_ZONE, 120 },
	{ "cet", 0, W_ZONE, 60 },
	{ "cst", 0, W_ZONE, -360 },
	{ "ct", 0, W_ZONE | W_ZONE_US, -360 },
	{ "d", 0, W_ZONE, 0 },
	{ "de", 0, W_FILLER, 0 },
	{ "dec", 12, 0, 0 },
	{ "december", 12, 0, 0 },
	{ "decembre", 12, 0, 0 },
	{ "del", 0, W_FILLER, 0 },
	{ "dez", 12, 0, 0 },
	{ "dezember", 12, 0, 0 },
	{ "dezembro", 12, 0, 0 },
	{ "di", 0, W_WEEKDAY, 0 },
	{ "dic", 12, 0, 0 },
	{ "dicembre", 12, 0, 0 },
	{ "diciembre", 12, 0, 0 },
	{ "dienstag", 0, W_WEEKDAY, 0 },
	{ "dim", 0, W_WEEKDAY, 0 },
	{ "dimanche", 0, W_WEEKDAY, 0 },
	{ "dinsdag", 0, W_WEEKDAY, 0 },
	{ "do", 0, W_WEEKDAY, 0 },
	{ "dom", 0, W_WEEKDAY, 0 },
	{ "domenica", 0, W_WEEKDAY, 0 },
	{ "domingo", 0, W_WEEKDAY, 0 },
	{ "donderdag", 0, W_WEEKDAY, 0 },
	{ "donnerstag", 0, W_WEEKDAY, 0 },
	{ "déc", 12, 0, 0 },
	{ "décembre", 12, 0, 0 },
	{ "e", 0, W_ZONE, 0 },
	{ "eat", 0, W_ZONE, 180 },
	{ "edt", 0, W_ZONE, -240 },
	{ "eest", 0, W_ZONE, 180 },
	{ "eet", 0, W_ZONE, 120 },
	{ "ene", 1, 0, 0 },
	{ "enero", 1, 0, 0 },
	{ "est", 0, W_ZONE, -300 },
	{ "et", 0, W_ZONE | W_ZONE_US, -300 },
	{ "etc", 0, W_ETC, 0 },
	{ "f", 0, W_ZONE, 0 },
	{ "feb", 2, 0, 0 },
	{ "febbraio", 2, 0, 0 },
	{ "febr", 2, 0, 0 },
	{ "febrero", 2, 0, 0 },
	{ "februar", 2, 0, 0 },
	{ "februari", 2, 0, 0 },
	{ "february", 2, 0, 0 },
	{ "fev", 2, 0, 0 },
	{ "fevereiro", 2, 0, 0 },
	{ "fevr", 2, 0, 0 },
	{ "fevrier", 2, 0, 0 },
	{ "fr", 0, W_WEEKDAY, 0 },
	{ "freitag", 0, W_WEEKDAY, 0 },
	{ "fri", 0, W_WEEKDAY, 0 },
	{ "friday", 0, W_WEEKDAY, 0 },
	{ "fév", 2, 0, 0 },
	{ "févr", 2, 0, 0 },
	{ "février", 2, 0, 0 },
	{ "g", 0, W_ZONE, 0 },
	{ "gen", 1, 0, 0 },
	{ "gennaio", 1, 0, 0 },
	{ "gio", 0, W_WEEKDAY, 0 },
	{ "giovedi", 0, W_WEEKDAY, 0 },
	{ "giovedì", 0, W_WEEKDAY, 0 },
	{ "giu", 6, 0, 0 },
	{ "giugno", 6, 0, 0 },
	{ "gmt", 0, W_ZONE | W_UTC, 0 },
	{ "h", 0, W_ZONE, 0 },
	{ "hdt", 0, W_ZONE, -540 },
	{ "hkt", 0, W_ZONE, 480 },
	{ "hst", 0, W_ZONE, -600 },
	{ "i", 0, W_ZONE, 0 },
	{ "ict", 0, W_ZONE, 420 },
	{ "ist", 0, W_ZONE, 330 },
	{ "jan", 1, 0, 0 },
	{ "janeiro", 1, 0, 0 },
	{ "januar", 1, 0, 0 },
	{ "januari", 1, 0, 0 },
	{ "january", 1, 0, 0 },
	{ "janv", 1, 0, 0 },
	{ "janvier", 1, 0, 0 },
	{ "jeu", 0, W_WEEKDAY, 0 },
	{ "jeudi", 0, W_WEEKDAY, 0 },
	{ "jst", 0, W_ZONE, 540 },
	{ "jue", 0, W_WEEKDAY, 0 },
	{ "jueves", 0, W_WEEKDAY, 0 },
	{ "juil", 7, 0, 0 },
	{ "juillet", 7, 0, 0 },
	{ "juin", 6, 0, 0 },
	{ "jul", 7, 0, 0 },
	{ "julho", 7, 0, 0 },
	{ "juli", 7, 0, 0 },
	{ "julio", 7, 0, 0 },
	{ "july", 7, 0, 0 },
	{ "jun", 6, 0, 0 },
	{ "june", 6, 0, 0 },
	{ "junho", 6, 0, 0 },
	{ "juni", 6, 0, 0 },
	{ "junio", 6, 0, 0 },
	{ "jän", 1, 0, 0 },
	{ "jänner", 1, 0, 0 },
	{ "k", 0, W_ZONE, 0 },
	{ "kst", 0, W_ZONE, 540 },
	{ "l", 0, W_ZONE, 0 },
	{ "lug", 7, 0, 0 },
	{ "luglio", 7, 0, 0 },
	{ "lun", 0, W_WEEKDAY, 0 },
	{ "lundi", 0, W_WEEKDAY, 0 },
	{ "lunedi", 0, W_WEEKDAY, 0 },
	{ "lunedì", 0, W_WEEKDAY, 0 },
	{ "lunes", 0, W_WEEKDAY, 0 },
	{ "m", 0, W_ZONE, 0 },
	{ "ma", 0, W_WEEKDAY, 0 },
	{ "maandag", 0, W_WEEKDAY, 0 },
	{ "maart", 3, 0, 0 },
	{ "maerz", 3, 0, 0 },
	{ "mag", 5, 0, 0 },
	{ "maggio", 5, 0, 0 },
	{ "mai", 5, 0, 0 },
	{ "maio", 5, 0, 0 },
	{ "mar", 3, W_WEEKDAY, 0 },
	{ "march", 3, 0, 0 },
	{ "marco", 3, 0, 0 },
	{ "mardi", 0, W_WEEKDAY, 0 },
	{ "mars", 3, 0, 0 },
	{ "martedi", 0, W_WEEKDAY, 0 },
	{ "martedì", 0, W_WEEKDAY, 0 },
	{ "martes", 0, W_WEEKDAY, 0 },
	{ "marzo", 3, 0, 0 },
	{ "março", 3, 0, 0 },
	{ "may", 5, 0, 0 },
	{ "mayo", 5, 0, 0 },
	{ "mdt", 0, W_ZONE, -360 },
	{ "mei", 5, 0, 0 },
	{ "mer", 0, W_WEEKDAY, 0 },
	{ "mercoledi", 0, W_WEEKDAY, 0 },
	{ "mercoledì", 0, W_WEEKDAY, 0 },
	{ "mercredi", 0, W_WEEKDAY, 0 },
	{ "mest", 0, W_ZONE, 120 },
	{ "mesz", 0, W_ZONE, 120 },
	{ "met", 0, W_ZONE, 60 },
	{ "mez", 0, W_ZONE, 60 },
	{ "mi", 0, W_WEEKDAY, 0 },
	{ "mie", 0, W_WEEKDAY, 0 },
	{ "miercoles", 0, W_WEEKDAY, 0 },
	{ "mittwoch", 0, W_WEEKDAY, 0 },
	{ "mié", 0, W_WEEKDAY, 0 },
	{ "miércoles", 0, W_WEEKDAY, 0 },
	{ "mo", 0, W_WEEKDAY, 0 },
	{ "mon", 0, W_WEEKDAY, 0 },
	{ "monday", 0, W_WEEKDAY, 0 },
	{ "montag", 0, W_WEEKDAY, 0 },
	{ "mrt", 3, 0, 0 },
	{ "mrz", 3, 0, 0 },
	{ "msk", 0, W_ZONE, 180 },
	{ "mst", 0, W_ZONE, -420 },
	{ "mt", 0, W_ZONE | W_ZONE_US, -420 },
	{ "mär", 3, 0, 0 },
	{ "märz", 3, 0, 0 },
	{ "n", 0, W_ZONE, 0 },
	{ "ndt", 0, W_ZONE, -150 },
	{ "nov", 11, 0, 0 },
	{ "november", 11, 0, 0 },
	{ "novembre", 11, 0, 0 },
	{ "novembro", 11, 0, 0 },
	{ "noviembre", 11, 0, 0 },
	{ "npt", 0, W_ZONE, 345 },
	{ "nst", 0, W_ZONE, -210 },
	{ "nzdt", 0, W_ZONE, 780 },
	{ "nzst", 0, W_ZONE, 720 },
	{ "o", 0, W_ZONE, 0 },
	{ "oct", 10, 0, 0 },
	{ "october", 10, 0, 0 },
	{ "octobre", 10, 0, 0 },
	{ "octubre", 10, 0, 0 },
	{ "of", 0, W_FILLER, 0 },
	{ "okt", 10, 0, 0 },
	{ "oktober", 10, 0, 0 },
	{ "ott", 10, 0, 0 },
	{ "ottobre", 10, 0, 0 },
	{ "out", 10, 0, 0 },
	{ "outubro", 10, 0, 0 },
	{ "p", 0, W_ZONE, 0 },
	{ "pdt", 0, W_ZONE, -420 },
	{ "pht", 0, W_ZONE, 480 },
	{ "pkt", 0, W_ZONE, 300 },
	{ "pst", 0, W_ZONE, -480 },
	{ "pt", 0, W_ZONE | W_ZONE_US, -480 },
	{ "q", 0, W_ZONE, 0 },
	{ "qua", 0, W_WEEKDAY, 0 },
	{ "quarta", 0, W_WEEKDAY, 0 },
	{ "quarta-feira", 0, W_WEEKDAY, 0 },
	{ "qui", 0, W_WEEKDAY, 0 },
	{ "quinta", 0, W_WEEKDAY, 0 },
	{ "quinta-feira", 0, W_WEEKDAY, 0 },
	{ "r", 0, W_ZONE, 0 },
	{ "s", 0, W_ZONE, 0 },
	{ "sa", 0, W_WEEKDAY, 0 },
	{ "sab", 0, W_WEEKDAY, 0 },
	{ "sabado", 0, W_WEEKDAY, 0 },
	{ "sam", 0, W_WEEKDAY, 0 },
	{ "samedi", 0, W_WEEKDAY, 0 },
	{ "samstag", 0, W_WEEKDAY, 0 },
	{ "sast", 0, W_ZONE, 120 },
	{ "sat", 0, W_WEEKDAY, 0 },
	{ "saturday", 0, W_WEEKDAY, 0 },
	{ "seg", 0, W_WEEKDAY, 0 },
	{ "segunda", 0, W_WEEKDAY, 0 },
	{ "segunda-feira", 0, W_WEEKDAY, 0 },
	{ "sep", 9, 0, 0 },
	{ "sept", 9, 0, 0 },
	{ "september", 9, 0, 0 },
	{ "septembre", 9, 0, 0 },
	{ "septiembre", 9, 0, 0 },
	{ "set", 9, 0, 0 },
	{ "setembro", 9, 0, 0 },
	{ "setiembre", 9, 0, 0 },
	{ "settembre", 9, 0, 0 },
	{ "sex", 0, W_WEEKDAY, 0 },
	{ "sexta", 0, W_WEEKDAY, 0 },
	{ "sexta-feira", 0, W_WEEKDAY, 0 },
	{ "sgt", 0, W_ZONE, 480 },
	{ "so", 0, W_WEEKDAY, 0 },
	{ "sonnabend", 0, W_WEEKDAY, 0 },
	{ "sonntag", 0, W_WEEKDAY, 0 },
	{ "sun", 0, W_WEEKDAY, 0 },
	{ "sunday", 0, W_WEEKDAY, 0 },
	{ "sáb", 0, W_WEEKDAY, 0 },
	{ "sábado", 0, W_WEEKDAY, 0 },
	{ "t", 0, W_ZONE, 0 },
	{ "ter", 0, W_WEEKDAY, 0 },
	{ "terca", 0, W_WEEKDAY, 0 },
	{ "terca-feira", 0, W_WEEKDAY, 0 },
	{ "terça", 0, W_WEEKDAY, 0 },
	{ "terça-feira", 0, W_WEEKDAY, 0 },
	{ "thu", 0, W_WEEKDAY, 0 },
	{ "thur", 0, W_WEEKDAY, 0 },
	{ "thurs", 0, W_WEEKDAY, 0 },
	{ "thursday", 0, W_WEEKDAY, 0 },
	{ "tue", 0, W_WEEKDAY, 0 },
	{ "tues", 0, W_WEEKDAY, 0 },
	{ "tuesday", 0, W_WEEKDAY, 0 },
	{ "u", 0, W_ZONE, 0 },
	{ "uhr", 0, W_CLOCK, 0 },
	{ "um", 0, W_FILLER, 0 },
	{ "ut", 0, W_ZONE | W_UTC, 0 },
	{ "utc", 0, W_ZONE | W_UTC, 0 },
	{ "v", 0, W_ZONE, 0 },
	{ "ven", 0, W_WEEKDAY, 0 },
	{ "vendredi", 0, W_WEEKDAY, 0 },
	{ "venerdi", 0, W_WEEKDAY, 0 },
	{ "venerdì", 0, W_WEEKDAY, 0 },
	{ "vie", 0, W_WEEKDAY, 0 },
	{ "viernes", 0, W_WEEKDAY, 0 },
	{ "vr", 0, W_WEEKDAY, 0 },
	{ "vrijdag", 0, W_WEEKDAY, 0 },
	{ "w", 0, W_ZONE, 0 },
	{ "wat", 0, W_ZONE, 60 },
	{ "wed", 0, W_WEEKDAY, 0 },
	{ "wednesday", 0, W_WEEKDAY, 0 },
	{ "weds", 0, W_WEEKDAY, 0 },
	{ "west", 0, W_ZONE, 60 },
	{ "wet", 0, W_ZONE, 0 },
	{ "wib", 0, W_ZONE, 420 },
	{ "wo", 0, W_WEEKDAY, 0 },
	{ "woensdag", 0, W_WEEKDAY, 0 },
	{ "x", 0, W_ZONE, 0 },
	{ "y", 0, W_ZONE, 0 },
	{ "z", 0, W_ZONE, 0 },
	{ "za", 0, W_WEEKDAY, 0 },
	{ "zaterdag", 0, W_WEEKDAY, 0 },
	{ "zo", 0, W_WEEKDAY, 0 },
	{ "zondag", 0, W_WEEKDAY, 0 },
};

/* Where the parser stands: the next byte and the end of the text. The parser often asks
 * "is this word a filler?" before "which month is it?"; the last lookup is remembered so that
 * a word is looked up once. */
struct cur {
	const char *p;
	const char *end;
	const char *looked_at;    /* where the last lookup started, or NULL */
	const char *looked_end;   /* where its word ended */
	const struct word *found; /* its result */
};

/* The fields read so far; date_parse() starts them all at 0. */
struct parts {
	int year, mon, day, hour, min, sec;
	int zone;      /* minutes east of UTC */
	int zone_us;   /* zone is US standard time: add daylight saving time when in effect */
	int frac;      /* the seconds had a non-zero fraction */
	int iso;       /* the date was year first: T may separate the time, HHMMSS may follow */
	int partial;   /* only YYYY or YYYY-MM: nothing may follow */
	int year_last; /* asctime: the year comes after the time */
};

static int is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Bytes of UTF-8 sequences count as letters so that "févr", "März" or "août" read as words. */
static int is_letter(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

/* The byte i places ahead, or -1 past the end. */
static int peek_at(const struct cur *c, size_t i)
{
	return (size_t)(c->end - c->p) > i ? (unsigned char)c->p[i] : -1;
}

static int peek(const struct cur *c)
{
	return peek_at(c, 0);
}

static void skip_space(struct cur *c)
{
	while (is_space(peek(c)))
		c->p++;
}

/* Skips spaces and the punctuation in set. */
static void skip_punct(struct cur *c, const char *set)
{
	int ch;

	while ((ch = peek(c)) > 0 && (is_space(ch) || strchr(set, ch) != NULL))
		c->p++;
}

/* Returns how many digits follow, without moving. */
static size_t digits_ahead(const struct cur *c)
{
	size_t n = 0;

	while (is_digit(peek_at(c, n)))
		n++;
	return n;
}

/* Reads a run of digits and returns its length; *val gets its value (exact up to 9 digits,
 * which is more than any caller accepts). */
static size_t read_num(struct cur *c, int *val)
{
	size_t n = 0;
	int v = 0;

	for (; is_digit(peek(c)); c->p++, n++)
		if (n < 9)
			v = v * 10 + (*c->p - '0');
	*val = v;
	return n;
}

static int word_cmp(const void *key, const void *entry)
{
	return strcmp(key, ((const struct word *)entry)->name);
}

/* Reads the word at the cursor (letters, inner hyphens as in "segunda-feira") and looks it up,
 * folding ASCII and Latin-1 capitals ("MÄRZ"). Returns its entry and moves past it, or returns
 * NULL and leaves the cursor where it was. */
static const struct word *read_word(struct cur *c)
{
	unsigned char key[WORD_MAX];
	const char *p = c->p;
	const struct word *w;
	size_t n = 0;
	int ch;

	if (c->looked_at == c->p) {
		if (c->found != NULL)
			c->p = c->looked_end;
		return c->found;
	}
	for (; p < c->end; p++) {
		ch = (unsigned char)*p;
		if (!is_letter(ch) &&
		    !(ch == '-' && n > 0 && p + 1 < c->end && is_letter((unsigned char)p[1])))
			break;
		if (n == WORD_MAX - 1)
			return NULL;
		if (ch >= 'A' && ch <= 'Z')
			ch += 'a' - 'A';
		else if (n > 0 && key[n - 1] == 0xC3 && ch >= 0x80 && ch <= 0x9E && ch != 0x97)
			ch += 0x20; /* U+00C0-U+00DE except U+00D7 (×): Latin-1 capitals */
		key[n++] = (unsigned char)ch;
	}
	if (n == 0)
		return NULL;
	key[n] = '\0';
	w = bsearch(key, words, sizeof words / sizeof *words, sizeof *words, word_cmp);
	c->looked_at = c->p;
	c->looked_end = p;
	c->found = w;
	if (w != NULL)
		c->p = p;
	return w;
}

/* Reads a word when it has one of the flags; otherwise leaves the cursor and returns NULL. */
static const struct word *read_word_with(struct cur *c, int flags)
{
	const char *at = c->p;
	const struct word *w = read_word(c);

	if (w != NULL && (w->flags & flags))
		return w;
	c->p = at;
	return NULL;
}

/* Skips spaces, the punctuation in set and filler words. */
static void skip_joiners(struct cur *c, const char *set)
{
	do
		skip_punct(c, set);
	while (read_word_with(c, W_FILLER) != NULL);
}

/* Skips the ordinal suffix of a day: "1st", "2nd", "3rd", "6th", French "1er". */
static void skip_ordinal(struct cur *c)
{
	static const char suffixes[][3] = { "er", "nd", "rd", "st", "th" };
	size_t i;
	int a = peek_at(c, 0) | 0x20, b = peek_at(c, 1) | 0x20;

	if (is_letter(peek_at(c, 2)))
		return;
	for (i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
		if (a == suffixes[i][0] && b == suffixes[i][1]) {
			c->p += 2;
			return;
		}
}

/* The day-first year: 4 digits, or RFC 2822 4.3's obsolete 2 and 3 digit years. The 3-digit
 * ones come from writers printing struct tm's tm_year: 100-199 are 2000-2099; any other 3
 * digits are more likely a truncated year than the 22nd century, so they are refused. */
static int set_rfc_year(struct parts *d, size_t n, int v)
{
	if (n == 4)
		d->year = v;
	else if (n == 3 && v >= 100 && v <= 199)
		d->year = 1900 + v;
	else if (n == 2)
		d->year = v < 50 ? 2000 + v : 1900 + v;
	else
		return 0;
	return 1;
}

/* YYYY[-MM[-DD]] with '-', '/' or '.', or basic YYYYMMDD. Returns 1 or 0 (not a date). */
static int parse_ymd(struct cur *c, struct parts *d)
{
	size_t n;
	int v, sep;

	d->iso = 1;
	n = read_num(c, &v);
	if (n == 8) {
		d->year = v / 10000;
		d->mon = v / 100 % 100;
		d->day = v % 100;
		return 1;
	}
	if (n != 4)
		return 0;
	d->year = v;
	d->mon = d->day = 1;
	d->partial = 1;
	sep = peek(c);
	if (sep != '-' && sep != '/' && sep != '.')
		return 1;
	c->p++;
	n = read_num(c, &d->mon);
	if (n < 1 || n > 2)
		return 0;
	if (peek(c) != sep)
		return 1;
	c->p++;
	d->partial = 0;
	n = read_num(c, &d->day);
	return n >= 1 && n <= 2;
}

/* D.M.YYYY, D/M/YYYY or D-M-YYYY, d->day holding the first number and the cursor on the first
 * separator. See the top of the file for which order is taken. */
static int parse_numeric(struct cur *c, struct parts *d)
{
	int a = d->day, b, sep = peek(c);
	size_t n;

	c->p++;
	n = read_num(c, &b);
	if (n < 1 || n > 2 || peek(c) != sep)
		return 0;
	c->p++;
	if (read_num(c, &d->year) != 4)
		return 0;
	if (sep == '.' || a == b || (a > 12 && b <= 12)) {
		d->day = a;
		d->mon = b;
	} else if (b > 12 && a <= 12) {
		d->mon = a;
		d->day = b;
	} else {
		return 0;
	}
	return 1;
}

/* D[D] Month YY[YY] and its variants, or the numeric forms. */
static int parse_day_first(struct cur *c, struct parts *d)
{
	const struct word *w;
	size_t n;
	int v, sep;

	n = read_num(c, &d->day);
	if (n > 2)
		return 0;
	sep = peek(c);
	if ((sep == '/' || sep == '.' || sep == '-') && is_digit(peek_at(c, 1)))
		return parse_numeric(c, d);
	skip_ordinal(c);
	skip_joiners(c, ",.-");
	w = read_word(c);
	if (w == NULL || w->month == 0)
		return 0;
	d->mon = w->month;
	skip_joiners(c, ",.-");
	n = read_num(c, &v);
	return set_rfc_year(d, n, v);
}

/* Month D[D][,] YYYY, or asctime's Month D[D] followed by the time (the year comes later). */
static int parse_month_first(struct cur *c, struct parts *d)
{
	const struct word *w = read_word(c);
	size_t n;

	if (w == NULL || w->month == 0)
		return 0;
	d->mon = w->month;
	skip_punct(c, ",.");
	n = read_num(c, &d->day);
	if (n < 1 || n > 2)
		return 0;
	skip_ordinal(c);
	skip_punct(c, ",.");
	n = digits_ahead(c);
	if (n >= 1 && n <= 2 && peek_at(c, n) == ':') {
		d->year_last = 1;
		return 1;
	}
	return read_num(c, &d->year) == 4;
}

/* The calendar date, whichever of the forms it is in. */
static int parse_calendar(struct cur *c, struct parts *d)
{
	size_t n = digits_ahead(c);

	if (n >= 4)
		return parse_ymd(c, d);
	if (n > 0)
		return parse_day_first(c, d);
	return parse_month_first(c, d);
}

/* An optional weekday, then the calendar date. */
static int parse_date(struct cur *c, struct parts *d)
{
	struct cur after = *c;
	const struct word *w = read_word_with(&after, W_WEEKDAY);

	if (w != NULL) {
		skip_punct(&after, ",.");
		if (parse_calendar(&after, d)) {
			*c = after;
			return 1;
		}
		if (w->month == 0)
			return 0;
		memset(d, 0, sizeof *d); /* "Mar 16, 2022": the weekday was March */
	}
	return parse_calendar(c, d);
}

/* Skips a fraction of a second: ".5", ",123456789" (ISO 8601 allows the comma). */
static void skip_fraction(struct cur *c, struct parts *d)
{
	int ch = peek(c);

	if ((ch != '.' && ch != ',') || !is_digit(peek_at(c, 1)))
		return;
	for (c->p++; is_digit(peek(c)); c->p++)
		if (*c->p != '0')
			d->frac = 1;
}

/* Reads "am", "pm", "a.m." or "p.m." in any case, not followed by a letter. Returns 'a', 'p',
 * or 0 (cursor unchanged) when there is none. */
static int read_ampm(struct cur *c)
{
	int ap = peek(c) | 0x20;
	size_t i = 1;

	if (ap != 'a' && ap != 'p')
		return 0;
	if (peek_at(c, i) == '.')
		i++;
	if ((peek_at(c, i) | 0x20) != 'm')
		return 0;
	i++;
	if (peek_at(c, i) == '.')
		i++;
	if (is_letter(peek_at(c, i)))
		return 0;
	c->p += i;
	return ap;
}

/* H[H][:MM[:SS[.fraction]]] [AM|PM] [Uhr], or after a year-first date also HHMM[SS]. The hour
 * alone needs AM or PM ("10 PM"). */
static int parse_time(struct cur *c, struct parts *d)
{
	size_t n;
	int v, ap, has_min = 1;

	n = read_num(c, &v);
	if (d->iso && (n == 4 || n == 6)) {
		if (n == 6) {
			d->sec = v % 100;
			v /= 100;
			skip_fraction(c, d);
		}
		d->hour = v / 100;
		d->min = v % 100;
	} else if (n == 1 || n == 2) {
		d->hour = v;
		if (peek(c) == ':') {
			c->p++;
			if (read_num(c, &d->min) != 2)
				return 0;
			if (peek(c) == ':') {
				c->p++;
				if (read_num(c, &d->sec) != 2)
					return 0;
				skip_fraction(c, d);
			}
		} else {
			has_min = 0;
		}
	} else {
		return 0;
	}
	skip_space(c);
	ap = read_ampm(c);
	if (ap != 0) {
		if (d->hour < 1 || d->hour > 12)
			return 0;
		d->hour = d->hour % 12 + (ap == 'p' ? 12 : 0);
	} else if (!has_min) {
		return 0;
	}
	skip_space(c);
	read_word_with(c, W_CLOCK);
	return 1;
}

/* +HH, +HHMM or +HH:MM (with short_hours also +H, +H:MM), the cursor on the sign. Sets the zone
 * and returns 1, or returns 0 when malformed or beyond 14 hours. */
static int read_offset(struct cur *c, struct parts *d, int short_hours)
{
	int sign = *c->p == '-' ? -1 : 1;
	int v, h, m = 0;
	size_t n;

	c->p++;
	n = read_num(c, &v);
	if (n == 4) {
		h = v / 100;
		m = v % 100;
	} else if (n == 2 || (n == 1 && short_hours)) {
		h = v;
		if (peek(c) == ':') {
			c->p++;
			if (read_num(c, &m) != 2)
				return 0;
		}
	} else {
		return 0;
	}
	if (h > 14 || m > 59)
		return 0;
	d->zone = sign * (h * 60 + m);
	d->zone_us = 0;
	return 1;
}

/* Reads a zone. Returns 1 when it read one, 0 when there is none at the cursor (which stays),
 * -1 when it is malformed. */
static int parse_zone(struct cur *c, struct parts *d)
{
	const char *at = c->p;
	const struct word *w;
	int ch = peek(c);

	if (ch == '+' || ch == '-') {
		if (!read_offset(c, d, 0))
			return -1;
		/* "-0700 PDT": a name may repeat the offset, but when the two disagree ("+0800 GMT",
		 * "+08:00Z") nobody can tell which one is wrong. */
		at = c->p;
		skip_space(c);
		w = read_word_with(c, W_ZONE);
		if (w == NULL)
			c->p = at;
		else if (d->zone != w->zone && !((w->flags & W_ZONE_US) && d->zone == w->zone + 60))
			return -1;
		return 1;
	}
	w = read_word(c);
	if (w != NULL && (w->flags & W_ETC) && peek(c) == '/') {
		c->p++;
		w = read_word(c);
		/* The tz database's Etc/GMT+8 is UTC-8: refuse rather than guess what was meant. */
		if (w == NULL || !(w->flags & W_UTC) || peek(c) == '+' || peek(c) == '-')
			return -1;
	}
	if (w == NULL || !(w->flags & W_ZONE)) {
		c->p = at;
		return 0;
	}
	d->zone = w->zone;
	d->zone_us = (w->flags & W_ZONE_US) != 0;
	ch = peek(c);
	if ((w->flags & W_UTC) && (ch == '+' || ch == '-'))
		return read_offset(c, d, 1) ? 1 : -1;
	return 1;
}

/* Skips what writers put between a date and its time: spaces, ',', '@', '|', a '-' that does
 * not start an offset, an en or em dash, "at", "um". */
static void skip_between(struct cur *c)
{
	int ch;

	for (;;) {
		ch = peek(c);
		if (is_space(ch) || ch == ',' || ch == '@' || ch == '|')
			c->p++;
		else if (ch == '-' && !is_digit(peek_at(c, 1)))
			c->p++;
		else if (ch == 0xE2 && peek_at(c, 1) == 0x80 &&
		         (peek_at(c, 2) == 0x93 || peek_at(c, 2) == 0x94))
			c->p += 3;
		else if (read_word_with(c, W_FILLER) == NULL)
			return;
	}
}

/* Skips spaces and RFC 2822 3.2.2 comments, nested ones included. Returns 1 when that reaches
 * the end of the text, 0 when anything else is left. */
static int at_end(struct cur *c)
{
	int depth = 0, ch;

	for (; c->p < c->end; c->p++) {
		ch = (unsigned char)*c->p;
		if (ch == '(')
			depth++;
		else if (ch == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !is_space(ch))
			return 0;
	}
	return depth == 0;
}

/* Everything after the date: [T or separators] [time] [zone] [asctime's year], then the end. */
static int parse_rest(struct cur *c, struct parts *d)
{
	const char *at;
	int ch = peek(c);

	if (d->partial)
		return at_end(c);
	if (d->iso && (ch == 'T' || ch == 't')) {
		c->p++;
		if (!parse_time(c, d))
			return 0;
	} else {
		at = c->p;
		skip_between(c);
		if (!is_digit(peek(c)))
			c->p = at; /* separators lead only to a time: "6 Jul 2020 -" is junk */
		else if (!parse_time(c, d))
			return 0;
	}
	skip_space(c);
	if (parse_zone(c, d) < 0)
		return 0;
	if (d->year_last) {
		skip_space(c);
		if (read_num(c, &d->year) != 4)
			return 0;
	}
	return at_end(c);
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil: March-based years make the leap day the last day of the year). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The day number of the n-th Sunday (n >= 1) of a month, or of the last one with n = 0.
 * 1970-01-01, day 0, was a Thursday. */
static int64_t sunday(int y, int m, int n)
{
	int64_t day;

	if (n == 0) {
		day = days_from_civil(y, m, days_in_month(y, m));
		return day - (day + 4) % 7;
	}
	day = days_from_civil(y, m, 1);
	return day + (7 - (day + 4) % 7) % 7 + 7 * (n - 1);
}

/* Whether US daylight saving time is in effect at a local wall-clock time (seconds counted as
 * if it were UTC): from 02:00 on the first Sunday to 02:00 on the last, so the hour repeated
 * in autumn counts as daylight time. Since 2007 (Energy Policy Act of 2005) the second Sunday
 * of March to the first Sunday of November; 1987-2006 the first Sunday of April to the last
 * Sunday of October. Returns -1 before 1987, whose rules changed too often to be worth it. */
static int us_dst(int year, int64_t wall)
{
	int64_t start, end;

	if (year >= 2007) {
		start = sunday(year, 3, 2);
		end = sunday(year, 11, 1);
	} else if (year >= 1987) {
		start = sunday(year, 4, 1);
		end = sunday(year, 10, 0);
	} else {
		return -1;
	}
	return wall >= start * 86400 + 7200 && wall < end * 86400 + 7200;
}

/* Checks the ranges and applies the zone. */
static int64_t to_unix(const struct parts *d)
{
	int64_t wall, t;
	int sec = d->sec, zone = d->zone, dst;

	if (d->year < 1000 || d->year > 9999 || d->mon < 1 || d->mon > 12 || d->day < 1 ||
	    d->day > days_in_month(d->year, d->mon) || d->min > 59 || sec > 60)
		return DATE_NONE;
	/* ISO 8601 allows 24:00:00 for the end of a day, and nothing later. */
	if (d->hour > 23 && (d->hour > 24 || d->min != 0 || sec != 0 || d->frac))
		return DATE_NONE;
	/* Unix time has no room for a leap second. */
	if (sec == 60)
		sec = 59;
	wall = days_from_civil(d->year, d->mon, d->day) * 86400 + d->hour * 3600 + d->min * 60 + sec;
	if (d->zone_us) {
		dst = us_dst(d->year, wall);
		if (dst < 0)
			return DATE_NONE;
		zone += 60 * dst;
	}
	t = wall - (int64_t)zone * 60;
	return t < DATE_MIN || t > DATE_MAX ? DATE_NONE : t;
}

int64_t date_parse(const char *s, size_t len)
{
	struct cur c;
	struct parts d;

	if (s == NULL)
		return DATE_NONE;
	memset(&c, 0, sizeof c);
	c.p = s;
	c.end = s + len;
	memset(&d, 0, sizeof d);
	skip_space(&c);
	if (!parse_date(&c, &d) || !parse_rest(&c, &d))
		return DATE_NONE;
	return to_unix(&d);
}

/* Writes v as n decimal digits, zero-padded. */
static void put_digits(char *p, int64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *date_format(int64_t t, char out[DATE_TEXT_SIZE])
{
	static const int64_t year0 = INT64_C(-62167219200); /* 0000-01-01T00:00:00Z */
	int64_t days, secs;
	int y, m, d;

	if (t < year0)
		t = year0;
	if (t > DATE_MAX)
		t = DATE_MAX;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	put_digits(out, y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, secs / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, secs / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, secs % 60, 2);
	out[19] = 'Z';
	out[20] = '\0';
	return out;
}
