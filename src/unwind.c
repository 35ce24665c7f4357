/* unwind: CFI unwinding over a copied stack. */
#include "unwind.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#define UNWIND_EXPR_STACK 16

static int unwind_step(const struct codemap_entry *e, uint64_t lookup, struct unwind_regs *regs,
		       const struct unwind_stack *stack);
static int unwind_eval(const Dwarf_Op *ops, size_t nops, const struct unwind_regs *regs,
		       const struct unwind_stack *stack, uint64_t cfa, uint64_t *out, int *is_value);
static int unwind_read(const struct unwind_stack *stack, uint64_t addr, uint64_t *value);

size_t unwind_stack(const struct codemap *map, const struct unwind_regs *start,
		    const struct unwind_stack *stack, struct unwind_frame *frames, size_t max,
		    int *unknown)
{
	struct unwind_regs regs = *start;
	int seen_jit = 0;
	size_t n = 0;

	*unknown = 0;
	while (n < max && (regs.valid & (1u << UNWIND_IP))) {
		uint64_t pc = regs.r[UNWIND_IP];
		uint64_t lookup = n ? pc - 1 : pc;
		const struct codemap_entry *e = codemap_find(map, lookup);

		if (!e)
			*unknown = 1;
		if (!e || (seen_jit && e->interpreter))
			break;
		frames[n++] = (struct unwind_frame){ .pc = pc, .lookup = lookup, .code = e };
		seen_jit |= e->jit;
		if (unwind_step(e, lookup - e->bias, &regs, stack) < 0)
			break;
	}
	return n;
}

/* Replaces `regs` by the caller's.  -1 when there is no caller to find. */
static int unwind_step(const struct codemap_entry *e, uint64_t lookup, struct unwind_regs *regs,
		       const struct unwind_stack *stack)
{
	struct unwind_regs caller = { .valid = 0 };
	Dwarf_Frame *frame;
	Dwarf_Op *ops, ops_mem[3];
	size_t nops;
	uint64_t cfa;
	int is_value, ret = -1;

	if (elfcode_cfi_frame(e->code, lookup, &frame) < 0)
		return -1;
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 ||
	    unwind_eval(ops, nops, regs, stack, 0, &cfa, &is_value) < 0)
		goto out;
	for (int r = 0; r < UNWIND_NREGS; r++) {
		uint64_t v;

		if (dwarf_frame_register(frame, r, ops_mem, &ops, &nops) != 0)
			continue;	/* unknown in the caller */
		/* libdw: no ops and a NULL pointer is "same value" (this frame
		 * left the register alone), no ops in ops_mem "undefined". */
		if (nops == 0 && !ops) {
			if (regs->valid & (1u << r)) {
				caller.r[r] = regs->r[r];
				caller.valid |= 1u << r;
			}
			continue;
		}
		if (nops == 0 || unwind_eval(ops, nops, regs, stack, cfa, &v, &is_value) < 0)
			continue;	/* undefined, or not computable */
		if (!is_value && unwind_read(stack, v, &v) < 0)
			continue;
		caller.r[r] = v;
		caller.valid |= 1u << r;
	}
	caller.r[UNWIND_SP] = cfa;
	caller.valid |= 1u << UNWIND_SP;
	/* The caller's frame lies above: a CFA that does not grow would loop. */
	if ((caller.valid & (1u << UNWIND_IP)) && caller.r[UNWIND_IP] != 0 &&
	    cfa > regs->r[UNWIND_SP]) {
		*regs = caller;
		ret = 0;
	}
out:
	free(frame);
	return ret;
}

/* Evaluates a CFI expression: the subset compilers emit for CFA and
 * register rules.  *is_value tells a value (DW_OP_stack_value) from an
 * address to read. */
static int unwind_eval(const Dwarf_Op *ops, size_t nops, const struct unwind_regs *regs,
		       const struct unwind_stack *stack, uint64_t cfa, uint64_t *out, int *is_value)
{
	uint64_t st[UNWIND_EXPR_STACK];
	size_t sp = 0;

	*is_value = 0;
#define PUSH(v) do { if (sp == UNWIND_EXPR_STACK) return -1; st[sp++] = (v); } while (0)
#define POP(v) do { if (sp == 0) return -1; (v) = st[--sp]; } while (0)
	for (size_t i = 0; i < nops; i++) {
		unsigned atom = ops[i].atom;
		uint64_t a, b;

		if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) {
			PUSH(atom - DW_OP_lit0);
		} else if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) {
			unsigned r = atom - DW_OP_breg0;

			if (r >= UNWIND_NREGS || !(regs->valid & (1u << r)))
				return -1;
			PUSH(regs->r[r] + ops[i].number);
		} else {
			switch (atom) {
			case DW_OP_bregx:
				if (ops[i].number >= UNWIND_NREGS || !(regs->valid & (1u << ops[i].number)))
					return -1;
				PUSH(regs->r[ops[i].number] + ops[i].number2);
				break;
			case DW_OP_call_frame_cfa:
				PUSH(cfa);
				break;
			case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u:
			case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s:
			case DW_OP_constu: case DW_OP_consts:
				PUSH(ops[i].number);
				break;
			case DW_OP_plus_uconst:
				POP(a);
				PUSH(a + ops[i].number);
				break;
			case DW_OP_deref:
				POP(a);
				if (unwind_read(stack, a, &b) < 0)
					return -1;
				PUSH(b);
				break;
			case DW_OP_dup:
				POP(a);
				PUSH(a);
				PUSH(a);
				break;
			case DW_OP_drop:
				POP(a);
				break;
			case DW_OP_stack_value:
				*is_value = 1;
				break;
			case DW_OP_plus: case DW_OP_minus: case DW_OP_and: case DW_OP_or:
			case DW_OP_mul: case DW_OP_shl: case DW_OP_shr: case DW_OP_ge:
			case DW_OP_gt: case DW_OP_le: case DW_OP_lt: case DW_OP_eq: case DW_OP_ne:
				POP(b);
				POP(a);
				PUSH(atom == DW_OP_plus ? a + b : atom == DW_OP_minus ? a - b :
				     atom == DW_OP_and ? (a & b) : atom == DW_OP_or ? (a | b) :
				     atom == DW_OP_mul ? a * b : atom == DW_OP_shl ? (b < 64 ? a << b : 0) :
				     atom == DW_OP_shr ? (b < 64 ? a >> b : 0) :
				     atom == DW_OP_ge ? (int64_t)a >= (int64_t)b :
				     atom == DW_OP_gt ? (int64_t)a > (int64_t)b :
				     atom == DW_OP_le ? (int64_t)a <= (int64_t)b :
				     atom == DW_OP_lt ? (int64_t)a < (int64_t)b :
				     atom == DW_OP_eq ? a == b : a != b);
				break;
			default:
				return -1;
			}
		}
	}
#undef PUSH
#undef POP
	if (sp == 0)
		return -1;
	*out = st[sp - 1];
	return 0;
}

static int unwind_read(const struct unwind_stack *stack, uint64_t addr, uint64_t *value)
{
	if (addr < stack->base || addr - stack->base > stack->size ||
	    stack->size - (addr - stack->base) < sizeof(*value))
		return -1;
	memcpy(value, stack->data + (addr - stack->base), sizeof(*value));
	return 0;
}

int unwind_pool_wait(const struct unwind_frame *frames, size_t n)
{
	for (size_t k = 0; k < n && !frames[k].code->jit; k++)
		if (frames[k].code->pool)
			return 1;
	return 0;
}
