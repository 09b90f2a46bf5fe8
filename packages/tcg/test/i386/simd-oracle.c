/*
 * The host processor as the oracle for tsemu's MMX/SSE/SSE2 translator: runs one SIMD
 * instruction, given as machine code, on the host and prints the state after it.
 *
 * One case per line on stdin (all hex):
 *   CODE MXCSR XMM0 XMM1 MM0 MM1 EAX ECX MEM
 * CODE is the instruction's bytes. Its register operands are xmm0/xmm1, mm0/mm1,
 * eax/ecx; a memory operand is [rsi] (the same ModRM as [esi] in 32-bit code), which
 * points at a 16-byte aligned buffer holding MEM. XMM and MEM are 32 digits, byte 0
 * first (memory order); MM is 16 digits, byte 0 first; MXCSR, EAX, ECX are numbers.
 * One line per case on stdout:
 *   XMM0 XMM1 MM0 MM1 EAX ECX MXCSR EFLAGS MEM XM
 * XM is 1 when the instruction raised #XM (an unmasked SIMD floating-point exception,
 * SIGFPE here): the state is then the one the exception handler sees, taken from the
 * signal frame.
 *
 * The SIMD instructions encode the same way in 64-bit code (no REX), so the host runs
 * them as they are. Built with gcc -O0 -mno-red-zone (the asm calls into the code buffer).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

struct state {
  uint8_t xmm0[16]; /* 0 */
  uint8_t xmm1[16]; /* 16 */
  uint8_t mm0[8];   /* 32 */
  uint8_t mm1[8];   /* 40 */
  uint32_t eax;     /* 48 */
  uint32_t ecx;     /* 52 */
  uint32_t mxcsr;   /* 56 */
  uint32_t pad;     /* 60 */
  uint64_t eflags;  /* 64 */
  uint64_t code;    /* 72 */
  uint8_t mem[16] __attribute__((aligned(16))); /* 80 */
};

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int parse_bytes(const char *s, uint8_t *out, size_t n) {
  if (strlen(s) != 2 * n) return 0;
  for (size_t i = 0; i < n; i++) {
    int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
    if (h < 0 || l < 0) return 0;
    out[i] = (uint8_t)(h * 16 + l);
  }
  return 1;
}

static void print_bytes(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
  printf(" ");
}

static struct state s;
static sigjmp_buf fault_jump;
static volatile int simd_fault;

/* #XM: the registers as the instruction found them, and MXCSR with the new flags. */
static void on_sigfpe(int sig, siginfo_t *info, void *context) {
  (void)sig;
  (void)info;
  ucontext_t *uc = context;
  struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
  s.mxcsr = fp->mxcsr;
  memcpy(s.xmm0, &fp->_xmm[0], 16);
  memcpy(s.xmm1, &fp->_xmm[1], 16);
  /* After the MMX loads TOP is 0, so ST(i) is MMi. */
  memcpy(s.mm0, &fp->_st[0], 8);
  memcpy(s.mm1, &fp->_st[1], 8);
  s.eax = (uint32_t)uc->uc_mcontext.gregs[REG_RAX];
  s.ecx = (uint32_t)uc->uc_mcontext.gregs[REG_RCX];
  s.eflags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
  simd_fault = 1;
  siglongjmp(fault_jump, 1);
}

int main(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_sigfpe;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGFPE, &action, NULL);
  uint8_t *buffer = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buffer == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  static char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    char *tok[9];
    int n = 0;
    for (char *t = strtok(line, " \t\r\n"); t && n < 9; t = strtok(NULL, " \t\r\n")) tok[n++] = t;
    if (n != 9) {
      printf("? expected 9 fields\n");
      continue;
    }
    size_t len = strlen(tok[0]) / 2;
    memset(&s, 0, sizeof s);
    if (len == 0 || len > 15 || !parse_bytes(tok[0], buffer, len) ||
        !parse_bytes(tok[2], s.xmm0, 16) || !parse_bytes(tok[3], s.xmm1, 16) ||
        !parse_bytes(tok[4], s.mm0, 8) || !parse_bytes(tok[5], s.mm1, 8) ||
        !parse_bytes(tok[8], s.mem, 16)) {
      printf("? bad field\n");
      continue;
    }
    buffer[len] = 0xc3; /* ret */
    s.mxcsr = (uint32_t)strtoul(tok[1], NULL, 16);
    s.eax = (uint32_t)strtoul(tok[6], NULL, 16);
    s.ecx = (uint32_t)strtoul(tok[7], NULL, 16);
    s.code = (uint64_t)(uintptr_t)buffer;
    simd_fault = 0;
    if (sigsetjmp(fault_jump, 1) == 0) __asm__ volatile(
        "ldmxcsr 56(%%rbx)\n\t"
        "movdqu 0(%%rbx), %%xmm0\n\t"
        "movdqu 16(%%rbx), %%xmm1\n\t"
        "movq 32(%%rbx), %%mm0\n\t"
        "movq 40(%%rbx), %%mm1\n\t"
        "mov 48(%%rbx), %%eax\n\t"
        "mov 52(%%rbx), %%ecx\n\t"
        "lea 80(%%rbx), %%rsi\n\t"
        "call *72(%%rbx)\n\t"
        "pushfq\n\t"
        "popq 64(%%rbx)\n\t"
        "stmxcsr 56(%%rbx)\n\t"
        "movdqu %%xmm0, 0(%%rbx)\n\t"
        "movdqu %%xmm1, 16(%%rbx)\n\t"
        "movq %%mm0, 32(%%rbx)\n\t"
        "movq %%mm1, 40(%%rbx)\n\t"
        "mov %%eax, 48(%%rbx)\n\t"
        "mov %%ecx, 52(%%rbx)\n\t"
        "emms\n\t"
        :
        : "b"(&s)
        : "rax", "rcx", "rsi", "xmm0", "xmm1", "memory", "cc");
    uint32_t clean = 0x1f80;
    __asm__ volatile("ldmxcsr %0\n\temms" ::"m"(clean));
    print_bytes(s.xmm0, 16);
    print_bytes(s.xmm1, 16);
    print_bytes(s.mm0, 8);
    print_bytes(s.mm1, 8);
    printf("%08x %08x %08x %08x ", s.eax, s.ecx, s.mxcsr, (uint32_t)s.eflags);
    print_bytes(s.mem, 16);
    printf("%d\n", simd_fault);
  }
  return 0;
}
