/* libFuzzer harness for the MI parser (src/mi.c): the input is what gdb
 * might write.  It is pushed to the streaming parser in two chunks split at
 * a point the input chooses, every record's tree is walked and looked up,
 * and the first line is parsed on its own too.  Properties checked beyond
 * "no crash, no leak, no undefined behaviour": each line yields exactly one
 * record, and mi_quote's output of any string reads back as that string.
 * Built and run by tests/fuzz/run (from .ci/run); seeded with the recorded
 * transcripts under tests/data/mi. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mi.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const struct mi_value *v, int depth)
{
	size_t n = 0;

	for (; v; v = v->next) {
		n++;
		if (v->kind == MI_CSTRING && !v->cstring)
			abort();
		if (v->kind != MI_CSTRING)
			n += walk(v->children, depth + 1);
		if (v->name) {
			mi_find(v, v->name);
			mi_find_string(v, v->name);
			mi_find_tuple(v, v->name);
			mi_find_list(v, v->name);
		}
	}
	return n;
}

static void on_record(void *ctx, struct mi_record *rec)
{
	size_t *records = ctx;

	(*records)++;
	if (rec->kind == MI_MALFORMED && (!rec->text || !rec->error))
		abort();
	walk(rec->results, 0);
	mi_find_string(rec->results, "reason");
	mi_find_list(rec->results, "stack");
	mi_record_free(rec);
}

/* mi_quote(s) as a console stream record parses back to s. */
static void quote_round_trip(const char *s)
{
	char *quoted = mi_quote(s);
	char *line = xasprintf("~%s", quoted);
	struct mi_record *rec = mi_parse_line(line, strlen(line));

	if (rec->kind != MI_CONSOLE || strcmp(rec->text, s) != 0)
		abort();
	mi_record_free(rec);
	free(line);
	free(quoted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	size_t records = 0, lines = 0, split, first, i;
	struct mi_parser *parser;
	struct mi_record *rec;
	char *s;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	split = size ? data[0] % (size + 1) : 0;
	parser = mi_parser_new(on_record, &records);
	mi_parser_push(parser, text, split);
	mi_parser_push(parser, text + split, size - split);
	mi_parser_free(parser);
	/* Complete lines only: a last line without its newline is not a record. */
	if (records != lines)
		abort();

	first = 0;
	while (first < size && data[first] != '\n')
		first++;
	rec = mi_parse_line(text, first);
	walk(rec->results, 0);
	mi_record_free(rec);

	s = xstrndup(text, first);
	if (strlen(s) == first)
		quote_round_trip(s);
	free(s);
	return 0;
}
