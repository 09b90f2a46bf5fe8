/*
 * The host processor as the test oracle for @tsemu/softfloat.
 *
 * Reads one case per line on stdin:   OP CONTROL OPERAND...
 *   OP       an operation name (see the tables below)
 *   CONTROL  hex: the x87 control word for x87 ops, MXCSR for SSE ops
 *   OPERAND  hex bit patterns: x80 as 20 digits (sign+exponent, then significand),
 *            f64/i64 as 16, f32/i32 as 8, i16 as 4, packed BCD as 20 (byte 9 first)
 * Writes one line per case:           RESULT... STATUS
 *   RESULT   the result bit patterns in the same notation (two for fxtract,
 *            fsincos and fptan)
 *   STATUS   x87 ops: the status word after the op (4 hex digits);
 *            SSE ops: MXCSR after the op (8 hex digits), for comiss/ucomiss
 *            preceded by the EFLAGS bits ZF PF CF (2 hex digits)
 *
 * Every op starts from a clean state (fninit / fresh MXCSR), so one op's flags never
 * leak into the next. Built with gcc -O0 by the tests; nothing here is optimised away
 * because every instruction is inside an asm volatile block.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t mant;
  uint16_t se;
} __attribute__((packed)) x80;

static uint64_t parse_hex(const char *s, uint16_t *high) {
  /* Up to 20 hex digits: the top 4 of a 20-digit value go to *high. */
  size_t n = strlen(s);
  uint64_t low = 0;
  uint16_t hi = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    unsigned d = (c >= '0' && c <= '9') ? (unsigned)(c - '0')
                 : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                 : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10)
                                          : 0;
    hi = (uint16_t)((hi << 4) | (unsigned)(low >> 60));
    low = (low << 4) | d;
  }
  if (high) *high = hi;
  return low;
}

static x80 parse_x80(const char *s) {
  x80 v;
  uint16_t se = 0;
  v.mant = parse_hex(s, &se);
  v.se = se;
  return v;
}

static void print_x80(const x80 *v) { printf("%04x%016llx ", v->se, (unsigned long long)v->mant); }

/* ---- x87 ---------------------------------------------------------------- */

#define X87_BEGIN(cw) __asm__ volatile("fninit\n\tfldcw %0" ::"m"(cw))

/* ST0 = a, ST1 = b; OP works on them; the status word is read before anything is
   stored, then fnclex so that storing never traps even with unmasked exceptions. */
#define X87_BINARY(INSN, a, b, r, sw)                                          \
  __asm__ volatile("fldt %3\n\tfldt %2\n\t" INSN "\n\tfnstsw %1\n\tfnclex\n\t" \
                   "fstpt %0\n\tfninit"                                        \
                   : "=m"(r), "=m"(sw)                                         \
                   : "m"(a), "m"(b))

/* ST0 = a, ST1 = b; the op leaves ST0 and ST1: both stored (first ST0 into r1). */
#define X87_BINARY2(INSN, a, b, r1, r2, sw)                                    \
  __asm__ volatile("fldt %4\n\tfldt %3\n\t" INSN "\n\tfnstsw %2\n\tfnclex\n\t" \
                   "fstpt %0\n\tfstpt %1\n\tfninit"                            \
                   : "=m"(r1), "=m"(r2), "=m"(sw)                              \
                   : "m"(a), "m"(b))

#define X87_UNARY(INSN, a, r, sw)                                                        \
  __asm__ volatile("fldt %2\n\t" INSN "\n\tfnstsw %1\n\tfnclex\n\tfstpt %0\n\tfninit" \
                   : "=m"(r), "=m"(sw)                                                   \
                   : "m"(a))

/* One operand in, two on the stack after (fxtract, fsincos, fptan): ST0 into r1. */
#define X87_UNARY2(INSN, a, r1, r2, sw)                                     \
  __asm__ volatile("fldt %3\n\t" INSN "\n\tfnstsw %2\n\tfnclex\n\t"         \
                   "fstpt %0\n\tfstpt %1\n\tfninit"                         \
                   : "=m"(r1), "=m"(r2), "=m"(sw)                           \
                   : "m"(a))

/* Compare ST0 = a with ST1 = b: only the status word matters. */
#define X87_COMPARE(INSN, a, b, sw)                                          \
  __asm__ volatile("fldt %2\n\tfldt %1\n\t" INSN "\n\tfnstsw %0\n\tfninit" \
                   : "=m"(sw)                                                \
                   : "m"(a), "m"(b))

/* ST0 = a stored to memory in another format (fstp m32, fistp, fbstp ...). */
#define X87_STORE(INSN, a, mem, sw)                                                    \
  __asm__ volatile("fldt %2\n\t" INSN " %0\n\tfnstsw %1\n\tfninit" : "=m"(mem), "=m"(sw) \
                   : "m"(a))

/* Memory in another format loaded onto the stack (fld m32, fild, fbld). */
#define X87_LOAD(INSN, mem, r, sw)                                                       \
  __asm__ volatile(INSN " %2\n\tfnstsw %1\n\tfnclex\n\tfstpt %0\n\tfninit" : "=m"(r), "=m"(sw) \
                   : "m"(mem))

static int run_x87(const char *op, uint16_t cw, char **args, int nargs) {
  uint16_t sw = 0;
  x80 r1 = {0, 0}, r2 = {0, 0};
  x80 a = nargs > 0 ? parse_x80(args[0]) : r1;
  x80 b = nargs > 1 ? parse_x80(args[1]) : r1;

#define BIN(name, insn)                 \
  if (!strcmp(op, name)) {              \
    X87_BEGIN(cw);                      \
    X87_BINARY(insn, a, b, r1, sw);     \
    print_x80(&r1);                     \
    printf("%04x\n", sw);               \
    return 1;                           \
  }
  BIN("fadd", "fadd %%st(1), %%st")
  BIN("fsub", "fsub %%st(1), %%st")
  BIN("fmul", "fmul %%st(1), %%st")
  BIN("fdiv", "fdiv %%st(1), %%st")
  BIN("fprem", "fprem")
  BIN("fprem1", "fprem1")
  BIN("fscale", "fscale")
  /* fpatan, fyl2x, fyl2xp1: ST1 = f(ST1, ST0), then pop: operands are (ST1, ST0) = (b, a)
     from the loads above, so the case line gives x first and y second. */
  BIN("fpatan", "fpatan")
  BIN("fyl2x", "fyl2x")
  BIN("fyl2xp1", "fyl2xp1")
#undef BIN

  /* ST0 = a (x80) OP a float32/float64 memory operand b. */
#define MEM(name, insn, type)                                                              \
  if (!strcmp(op, name)) {                                                                 \
    type m = (type)parse_hex(args[1], NULL);                                               \
    X87_BEGIN(cw);                                                                         \
    __asm__ volatile("fldt %2\n\t" insn " %3\n\tfnstsw %1\n\tfnclex\n\tfstpt %0\n\tfninit" \
                     : "=m"(r1), "=m"(sw)                                                  \
                     : "m"(a), "m"(m));                                                    \
    print_x80(&r1);                                                                        \
    printf("%04x\n", sw);                                                                 \
    return 1;                                                                              \
  }
  MEM("fadd32", "fadds", uint32_t)
  MEM("fsubr32", "fsubrs", uint32_t)
  MEM("fmul32", "fmuls", uint32_t)
  MEM("fdiv32", "fdivs", uint32_t)
  MEM("fadd64", "faddl", uint64_t)
  MEM("fsub64", "fsubl", uint64_t)
  MEM("fmul64", "fmull", uint64_t)
  MEM("fdivr64", "fdivrl", uint64_t)
#undef MEM

  /* FCOM m32/m64: ST0 = a compared with the memory operand b. */
#define MEMCMP(name, insn, type)                                                        \
  if (!strcmp(op, name)) {                                                              \
    type m = (type)parse_hex(args[1], NULL);                                            \
    X87_BEGIN(cw);                                                                      \
    __asm__ volatile("fldt %1\n\t" insn " %2\n\tfnstsw %0\n\tfninit" : "=m"(sw)        \
                     : "m"(a), "m"(m));                                                 \
    printf("%04x\n", sw);                                                              \
    return 1;                                                                           \
  }
  MEMCMP("fcom32", "fcoms", uint32_t)
  MEMCMP("fcom64", "fcoml", uint64_t)
#undef MEMCMP

#define UN(name, insn)              \
  if (!strcmp(op, name)) {          \
    X87_BEGIN(cw);                  \
    X87_UNARY(insn, a, r1, sw);     \
    print_x80(&r1);                 \
    printf("%04x\n", sw);           \
    return 1;                       \
  }
  UN("fsqrt", "fsqrt")
  UN("frndint", "frndint")
  UN("fsin", "fsin")
  UN("fcos", "fcos")
  UN("f2xm1", "f2xm1")
  UN("fchs", "fchs")
  UN("fabs", "fabs")
#undef UN

#define UN2(name, insn)                \
  if (!strcmp(op, name)) {             \
    X87_BEGIN(cw);                     \
    X87_UNARY2(insn, a, r1, r2, sw);   \
    print_x80(&r1);                    \
    print_x80(&r2);                    \
    printf("%04x\n", sw);              \
    return 1;                          \
  }
  UN2("fxtract", "fxtract") /* r1 = significand (ST0), r2 = exponent (ST1) */
  UN2("fsincos", "fsincos") /* r1 = cos (ST0), r2 = sin (ST1) */
  UN2("fptan", "fptan")     /* r1 = 1.0 (ST0), r2 = tan (ST1) */
#undef UN2

#define CMP(name, insn)                 \
  if (!strcmp(op, name)) {              \
    X87_BEGIN(cw);                      \
    X87_COMPARE(insn, a, b, sw);        \
    printf("%04x\n", sw);               \
    return 1;                           \
  }
  CMP("fcom", "fcom %%st(1)")
  CMP("fucom", "fucom %%st(1)")
  CMP("fxam", "fxam")
  CMP("ftst", "ftst")
#undef CMP

#define STORE(name, insn, type, fmt)        \
  if (!strcmp(op, name)) {                  \
    type m = 0;                             \
    X87_BEGIN(cw);                          \
    X87_STORE(insn, a, m, sw);              \
    printf(fmt " %04x\n", m, sw);           \
    return 1;                               \
  }
  STORE("fst32", "fstps", uint32_t, "%08x")
  STORE("fst64", "fstpl", unsigned long long, "%016llx")
  STORE("fist16", "fistps", uint16_t, "%04x")
  STORE("fist32", "fistpl", uint32_t, "%08x")
  STORE("fist64", "fistpll", unsigned long long, "%016llx")
  STORE("fisttp16", "fisttps", uint16_t, "%04x")
  STORE("fisttp32", "fisttpl", uint32_t, "%08x")
  STORE("fisttp64", "fisttpll", unsigned long long, "%016llx")
#undef STORE

  if (!strcmp(op, "fbstp")) {
    x80 m = {0, 0};
    X87_BEGIN(cw);
    X87_STORE("fbstp", a, m, sw);
    print_x80(&m);
    printf("%04x\n", sw);
    return 1;
  }

#define LOAD(name, insn, type)                         \
  if (!strcmp(op, name)) {                             \
    type m = (type)parse_hex(args[0], NULL);           \
    X87_BEGIN(cw);                                     \
    X87_LOAD(insn, m, r1, sw);                         \
    print_x80(&r1);                                    \
    printf("%04x\n", sw);                              \
    return 1;                                          \
  }
  LOAD("fld32", "flds", uint32_t)
  LOAD("fld64", "fldl", uint64_t)
  LOAD("fild16", "filds", uint16_t)
  LOAD("fild32", "fildl", uint32_t)
  LOAD("fild64", "fildll", uint64_t)
#undef LOAD
  if (!strcmp(op, "fbld")) {
    X87_BEGIN(cw);
    X87_LOAD("fbld", a, r1, sw);
    print_x80(&r1);
    printf("%04x\n", sw);
    return 1;
  }
  return 0;
}

/* ---- SSE ---------------------------------------------------------------- */

static int run_sse(const char *op, uint32_t mxcsr, char **args, int nargs) {
  uint32_t after = 0;
  uint64_t a = nargs > 0 ? parse_hex(args[0], NULL) : 0;
  uint64_t b = nargs > 1 ? parse_hex(args[1], NULL) : 0;
  uint64_t r = 0;

  /* xmm0 = a, xmm1 = b; INSN writes xmm0 (or a general register for conversions). */
#define SSE_XX(name, insn, width)                                                       \
  if (!strcmp(op, name)) {                                                             \
    __asm__ volatile("ldmxcsr %2\n\tmovq %3, %%xmm0\n\tmovq %4, %%xmm1\n\t" insn "\n\t" \
                     "stmxcsr %1\n\tmovq %%xmm0, %0"                                    \
                     : "=r"(r), "=m"(after)                                             \
                     : "m"(mxcsr), "r"(a), "r"(b)                                       \
                     : "xmm0", "xmm1");                                                 \
    if (width == 32)                                                                   \
      printf("%08x %08x\n", (uint32_t)r, after);                                       \
    else                                                                               \
      printf("%016llx %08x\n", (unsigned long long)r, after);                         \
    return 1;                                                                          \
  }
  SSE_XX("addss", "addss %%xmm1, %%xmm0", 32)
  SSE_XX("subss", "subss %%xmm1, %%xmm0", 32)
  SSE_XX("mulss", "mulss %%xmm1, %%xmm0", 32)
  SSE_XX("divss", "divss %%xmm1, %%xmm0", 32)
  SSE_XX("minss", "minss %%xmm1, %%xmm0", 32)
  SSE_XX("maxss", "maxss %%xmm1, %%xmm0", 32)
  SSE_XX("sqrtss", "sqrtss %%xmm0, %%xmm0", 32)
  SSE_XX("addsd", "addsd %%xmm1, %%xmm0", 64)
  SSE_XX("subsd", "subsd %%xmm1, %%xmm0", 64)
  SSE_XX("mulsd", "mulsd %%xmm1, %%xmm0", 64)
  SSE_XX("divsd", "divsd %%xmm1, %%xmm0", 64)
  SSE_XX("minsd", "minsd %%xmm1, %%xmm0", 64)
  SSE_XX("maxsd", "maxsd %%xmm1, %%xmm0", 64)
  SSE_XX("sqrtsd", "sqrtsd %%xmm0, %%xmm0", 64)
  SSE_XX("cvtss2sd", "cvtss2sd %%xmm0, %%xmm0", 64)
  SSE_XX("cvtsd2ss", "cvtsd2ss %%xmm0, %%xmm0", 32)
  /* roundss/roundsd with imm 4: the MXCSR rounding mode, inexact reported */
  SSE_XX("roundss", "roundss $4, %%xmm0, %%xmm0", 32)
  SSE_XX("roundsd", "roundsd $4, %%xmm0, %%xmm0", 64)
#undef SSE_XX

  /* Integer source a in a general register, result in xmm0. */
#define SSE_FROM_INT(name, insn, width)                                                 \
  if (!strcmp(op, name)) {                                                             \
    __asm__ volatile("ldmxcsr %2\n\tpxor %%xmm0, %%xmm0\n\t" insn "\n\tstmxcsr %1\n\t"  \
                     "movq %%xmm0, %0"                                                  \
                     : "=r"(r), "=m"(after)                                             \
                     : "m"(mxcsr), "r"(a)                                               \
                     : "xmm0");                                                         \
    if (width == 32)                                                                   \
      printf("%08x %08x\n", (uint32_t)r, after);                                       \
    else                                                                               \
      printf("%016llx %08x\n", (unsigned long long)r, after);                         \
    return 1;                                                                          \
  }
  SSE_FROM_INT("cvtsi2ss32", "cvtsi2ssl %k3, %%xmm0", 32)
  SSE_FROM_INT("cvtsi2ss64", "cvtsi2ssq %3, %%xmm0", 32)
  SSE_FROM_INT("cvtsi2sd32", "cvtsi2sdl %k3, %%xmm0", 64)
  SSE_FROM_INT("cvtsi2sd64", "cvtsi2sdq %3, %%xmm0", 64)
#undef SSE_FROM_INT

  /* Float source a in xmm0, integer result in a general register. */
#define SSE_TO_INT(name, insn, width)                                                   \
  if (!strcmp(op, name)) {                                                             \
    __asm__ volatile("ldmxcsr %2\n\tmovq %3, %%xmm0\n\t" insn "\n\tstmxcsr %1"          \
                     : "=&r"(r), "=m"(after)                                            \
                     : "m"(mxcsr), "r"(a)                                               \
                     : "xmm0");                                                         \
    if (width == 32)                                                                   \
      printf("%08x %08x\n", (uint32_t)r, after);                                       \
    else                                                                               \
      printf("%016llx %08x\n", (unsigned long long)r, after);                         \
    return 1;                                                                          \
  }
  SSE_TO_INT("cvtss2si32", "cvtss2si %%xmm0, %k0", 32)
  SSE_TO_INT("cvtss2si64", "cvtss2si %%xmm0, %q0", 64)
  SSE_TO_INT("cvttss2si32", "cvttss2si %%xmm0, %k0", 32)
  SSE_TO_INT("cvttss2si64", "cvttss2si %%xmm0, %q0", 64)
  SSE_TO_INT("cvtsd2si32", "cvtsd2si %%xmm0, %k0", 32)
  SSE_TO_INT("cvtsd2si64", "cvtsd2si %%xmm0, %q0", 64)
  SSE_TO_INT("cvttsd2si32", "cvttsd2si %%xmm0, %k0", 32)
  SSE_TO_INT("cvttsd2si64", "cvttsd2si %%xmm0, %q0", 64)
#undef SSE_TO_INT

  /* comiss/ucomiss: EFLAGS ZF (bit 6), PF (bit 2), CF (bit 0) reported as 0x40/0x04/0x01. */
#define SSE_CMP(name, insn)                                                             \
  if (!strcmp(op, name)) {                                                             \
    uint64_t flags = 0;                                                                \
    __asm__ volatile("ldmxcsr %2\n\tmovq %3, %%xmm0\n\tmovq %4, %%xmm1\n\t" insn "\n\t" \
                     "pushfq\n\tpopq %0\n\tstmxcsr %1"                                  \
                     : "=&r"(flags), "=m"(after)                                        \
                     : "m"(mxcsr), "r"(a), "r"(b)                                       \
                     : "xmm0", "xmm1", "cc");                                           \
    printf("%02x %08x\n", (unsigned)(flags & 0x45), after);                           \
    return 1;                                                                          \
  }
  SSE_CMP("comiss", "comiss %%xmm1, %%xmm0")
  SSE_CMP("ucomiss", "ucomiss %%xmm1, %%xmm0")
  SSE_CMP("comisd", "comisd %%xmm1, %%xmm0")
  SSE_CMP("ucomisd", "ucomisd %%xmm1, %%xmm0")
#undef SSE_CMP
  return 0;
}

int main(void) {
  static char line[4096];
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (fgets(line, sizeof line, stdin)) {
    char *tokens[8];
    int n = 0;
    for (char *t = strtok(line, " \t\r\n"); t && n < 8; t = strtok(NULL, " \t\r\n")) tokens[n++] = t;
    if (n < 2) {
      printf("?\n");
      continue;
    }
    uint32_t control = (uint32_t)parse_hex(tokens[1], NULL);
    int done = tokens[0][0] == 'f' ? run_x87(tokens[0], (uint16_t)control, tokens + 2, n - 2)
                                   : run_sse(tokens[0], control, tokens + 2, n - 2);
    if (!done) printf("? unknown op %s\n", tokens[0]);
  }
  /* Leave the host's SSE state as a C program expects it. */
  uint32_t sane = 0x1f80;
  __asm__ volatile("ldmxcsr %0" ::"m"(sane));
  return 0;
}
