/* stack: turning a -stack-list-frames result into frames. */
#include "stack.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* gdb gives "file" as the debug info names it and "fullname" resolved
 * against the compilation directory: the latter is what a renderer can
 * open. */
static int stack_is_lineless_jit(const struct frame *f);

static void frame_from_mi(struct frame *f, const struct mi_value *tuple)
{
	const char *line = mi_find_string(tuple, "line");
	const char *file = mi_find_string(tuple, "fullname");

	*f = (struct frame){ .func = mi_find_string(tuple, "func"),
			     .file = file ? file : mi_find_string(tuple, "file"),
			     .line = line ? atoi(line) : 0,
			     .lib = mi_find_string(tuple, "from") };
	if (f->line < 0)
		f->line = 0;
}

int stack_append_mi(struct stack *st, const struct mi_value *results)
{
	const struct mi_value *list = mi_find_list(results, "stack");
	size_t before = st->n;

	if (!list)
		return -1;
	for (const struct mi_value *v = list->children; v; v = v->next) {
		const char *level, *addr;

		if (v->kind != MI_TUPLE) {
			st->n = before;
			return -1;
		}
		/* A frame this stack already holds (chunks overlap). */
		level = mi_find_string(v->children, "level");
		if (level && strtoul(level, NULL, 10) < before)
			continue;
		st->frames = xgrow(st->frames, &st->alloc, st->n + 1, sizeof(*st->frames));
		st->pcs = xgrow(st->pcs, &st->pcs_alloc, st->n + 1, sizeof(*st->pcs));
		addr = mi_find_string(v->children, "addr");
		st->pcs[st->n] = addr ? strtoull(addr, NULL, 16) : 0;
		frame_from_mi(&st->frames[st->n++], v->children);
	}
	return (int)(st->n - before);
}

void stack_reset(struct stack *st)
{
	st->n = 0;
}

/* Jitted code without lines: what Numba lifts out of a `with objmode()`
 * block (not a CPython wrapper). */
static int stack_is_lineless_jit(const struct frame *f)
{
	return f->func && f->line == 0 && strstr(f->func, "[abi:") &&
	       strncmp(f->func, "cpython::", 9) != 0;
}

int stack_reached_python(const struct stack *st, size_t from)
{
	size_t start = from;

	/* Jitted code without lines was called through Python, maybe by
	 * jitted code with lines further down: the Python side counts only
	 * below the first frame with lines after it. */
	for (size_t i = 0; i < st->n; i++) {
		if (!stack_is_lineless_jit(&st->frames[i]))
			continue;
		while (i < st->n && !(st->frames[i].file && st->frames[i].line > 0 &&
				      has_suffix(st->frames[i].file, ".py")))
			i++;
		if (i == st->n)
			return 0;
		if (i + 1 > start)
			start = i + 1;
	}
	for (size_t i = start; i < st->n; i++) {
		const char *func = st->frames[i].func;

		if (!func)
			continue;
		/* Numba's wrapper that CPython calls, then CPython 3.x's
		 * bytecode loop and its entry point. */
		if (strncmp(func, "cpython::", 9) == 0 ||
		    strcmp(func, "_PyEval_EvalFrameDefault") == 0 ||
		    strcmp(func, "PyEval_EvalCode") == 0)
			return 1;
	}
	return 0;
}

/* Two frames of the same jitted line (a .py file: C code recursing in
 * the interpreter or the loader is not what a listing is cut for). */
static int same_line(const struct frame *a, const struct frame *b)
{
	size_t n = a->file ? strlen(a->file) : 0;

	return a->line > 0 && a->line == b->line && n > 3 && strcmp(a->file + n - 3, ".py") == 0 &&
	       b->file && a->func && b->func && strcmp(a->file, b->file) == 0 &&
	       strcmp(a->func, b->func) == 0;
}

int stack_recursion(const struct stack *st)
{
	for (size_t i = 1; i < st->n; i++)
		for (size_t j = 0; j < i; j++)
			if (same_line(&st->frames[i], &st->frames[j]))
				return 1;
	return 0;
}

int stack_is_gdb_event_function(const char *func)
{
	static const char *const names[] = {
		"__jit_debug_register_code",
		"_dl_debug_state",
		"__GI__dl_debug_state",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(func, names[i]) == 0)
			return 1;
	return 0;
}

void stack_release(struct stack *st)
{
	free(st->frames);
	free(st->pcs);
	st->frames = NULL;
	st->pcs = NULL;
	st->n = st->alloc = st->pcs_alloc = 0;
}
