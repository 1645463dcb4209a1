/* fuzz_text.c — libFuzzer target for the text functions on untrusted feed text: the encoding
 * layer turns any bytes into valid UTF-8, and HTML-to-text, cleaning and reference decoding of
 * that keep it valid UTF-8, never longer than their input, and free of control characters. */
#include "parsers/encoding.h"
#include "parsers/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clean(const struct buf *b, size_t input, int keep_newlines)
{
	if (b->len > input + 1 || enc_utf8_valid_prefix(buf_str(b), b->len) != b->len)
		abort();
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if ((c < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || c == 0x7F)
			abort();
		if (c == 0xC2 && i + 1 < b->len && (unsigned char)b->data[i + 1] < 0xA0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {NULL, "utf-8", "iso-8859-1", "windows-1251",
	                                       "shift_jis", "utf-16"};
	struct enc_result enc;
	struct buf b = {0};

	if (size == 0)
		return 0;
	if (enc_to_utf8((const char *)data + 1, size - 1, charsets[data[0] % 6], &enc) < 0)
		return 0;
	if (enc_utf8_valid_prefix(enc.data, enc.len) != enc.len)
		abort();
	if (text_from_html(&b, enc.data, enc.len, TEXT_LINE) == 0) {
		check_clean(&b, enc.len, 0);
		if (memchr(buf_str(&b), '\n', b.len))
			abort();
	}
	buf_reset(&b);
	if (text_from_html(&b, enc.data, enc.len, TEXT_BLOCK) == 0)
		check_clean(&b, enc.len, 1);
	buf_reset(&b);
	if (text_clean(&b, enc.data, enc.len, TEXT_KEEP) == 0)
		check_clean(&b, enc.len, 1);
	buf_reset(&b);
	if (text_decode_entities(&b, enc.data, enc.len) == 0)
		check_clean(&b, enc.len, 1);
	buf_free(&b);
	enc_result_free(&enc);
	return 0;
}
