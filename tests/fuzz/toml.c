/* toml.c: quoting any value into TOML, and reading back what was written.
 * Input: a value (up to its first NUL) for toml_quote, and the whole input
 * as a TOML text for toml_get. */
#include "fuzz.h"

#include "../../src/sb.h"
#include "../../src/toml.h"

static void quote(const uint8_t *data, size_t len)
{
	char *in = fuzz_str(data, len);
	size_t n = strlen(in);
	struct sb out = SB_INIT, doc = SB_INIT;
	sb_adds(&out, "x");
	if (toml_quote(in, &out) < 0) {
		need(!fuzz_utf8_ok((const unsigned char *)in, n)); /* refused only what TOML cannot carry */
		need(out.len == 1 && strcmp(sb_str(&out), "x") == 0); /* and left OUT as it was */
		goto out;
	}
	need(fuzz_utf8_ok((const unsigned char *)in, n));
	const char *q = sb_str(&out) + 1;
	size_t qn = out.len - 1;
	need(qn >= 2 && q[0] == '"' && q[qn - 1] == '"');
	need(fuzz_utf8_ok((const unsigned char *)q, qn));
	for (size_t i = 0; i < qn; i++) {
		unsigned char c = (unsigned char)q[i];
		need(c >= 0x20 && c != 0x7f);
		/* Every quote inside is escaped: "\" or "\\" then an escape letter. */
		if (i > 0 && i < qn - 1 && c == '\\') {
			need(strchr("\"\\u", q[i + 1]) != NULL);
			i++;
		} else if (i > 0 && i < qn - 1) {
			need(c != '"');
		}
	}
	/* What was written plain reads back the same; escapes are not read. */
	sb_setf(&doc, "[other]\nkey = \"no\"\n[layer]\nkey = %s\n", q);
	char *value = malloc(n + 1);
	need(value != NULL);
	int got = toml_get(sb_str(&doc), "layer", "key", value, (unsigned)n + 1);
	if (!strpbrk(in, "\"\\") && !memchr(q, '\\', qn))
		need(got == 1 && strcmp(value, in) == 0);
	else
		need(got == 0);
	free(value);
out:
	sb_release(&out);
	sb_release(&doc);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	quote(data, len);
	/* Any text: no read past it or past VALUE's SIZE bytes. */
	char *text = fuzz_str(data, len);
	for (unsigned size = 1; size <= 64; size *= 4) {
		char *value = malloc(size);
		need(value != NULL);
		if (toml_get(text, "metadata", "stack", value, size) == 1)
			need(strlen(value) < size && !strpbrk(value, "\"\\\n"));
		free(value);
	}
	free(text);
	return 0;
}
