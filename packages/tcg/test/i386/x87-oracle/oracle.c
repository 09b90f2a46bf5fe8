/*
 * The host x87 as the oracle of the i386 translator's x87 tests.
 *
 * Reads one case per line on stdin:   PRE INSN STATE MEM
 *   PRE    hex bytes run before the instruction (e.g. "68 xx xx xx xx 9d": push flags;
 *          popf), or "-"
 *   INSN   the instruction's bytes (hex); a memory operand is addressed as [ebx], which
 *          in 64-bit code is [rbx]: the same bytes run here and in the 32-bit guest
 *   STATE  108 bytes (hex): an FRSTOR image in the 32-bit protected-mode layout
 *   MEM    128 bytes (hex): the memory operand's buffer
 * and writes one line:               IMAGE EFLAGS EAX MEM
 *   IMAGE  the FNSAVE image after the instruction (108 bytes)
 *   EFLAGS EFLAGS after it (4 bytes, little-endian), EAX likewise (zeroed before)
 *   MEM    the buffer after it (128 bytes)
 *
 * The code runs from an executable page: push rbx; mov rbx, rsi; frstor [rdi];
 * xor eax, eax; PRE; INSN; fnsave [rdx]; pushfq; pop rcx; mov [rdx+108], ecx;
 * mov [rdx+112], eax; pop rbx; ret. FNSAVE does not wait and reinitialises the FPU, so an
 * unmasked exception raised by INSN is reported in the image and never traps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int parse_hex(const char *s, uint8_t *out, int max) {
  int n = 0;
  if (strcmp(s, "-") == 0) return 0;
  while (s[0] && s[1] && n < max) {
    int hi = hex_digit(s[0]), lo = hex_digit(s[1]);
    if (hi < 0 || lo < 0) return -1;
    out[n++] = (uint8_t)(hi * 16 + lo);
    s += 2;
  }
  return n;
}

static void print_hex(const uint8_t *p, int n) {
  for (int i = 0; i < n; i++) printf("%02x", p[i]);
}

int main(void) {
  uint8_t *page = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  static char line[8192], pre_s[1024], insn_s[1024], state_s[1024], mem_s[1024];
  static uint8_t state[112], out[128], mem[128];
  static const uint8_t prologue[] = {0x53, 0x48, 0x89, 0xf3, 0xdd, 0x27, 0x31, 0xc0};
  static const uint8_t epilogue[] = {0xdd, 0x32, 0x9c, 0x59, 0x89, 0x4a, 0x6c,
                                     0x89, 0x42, 0x70, 0x5b, 0xc3};
  while (fgets(line, sizeof line, stdin)) {
    uint8_t pre[64], insn[64];
    if (sscanf(line, "%1023s %1023s %1023s %1023s", pre_s, insn_s, state_s, mem_s) != 4) {
      printf("? bad line\n");
      continue;
    }
    int npre = parse_hex(pre_s, pre, 64), ninsn = parse_hex(insn_s, insn, 64);
    memset(state, 0, sizeof state);
    memset(mem, 0, sizeof mem);
    if (npre < 0 || ninsn <= 0 || parse_hex(state_s, state, 108) != 108 ||
        parse_hex(mem_s, mem, 128) != 128) {
      printf("? bad operands\n");
      continue;
    }
    int n = 0;
    memcpy(page + n, prologue, sizeof prologue), n += sizeof prologue;
    memcpy(page + n, pre, npre), n += npre;
    memcpy(page + n, insn, ninsn), n += ninsn;
    memcpy(page + n, epilogue, sizeof epilogue), n += sizeof epilogue;
    memset(out, 0, sizeof out);
    ((void (*)(void *, void *, void *))page)(state, mem, out);
    print_hex(out, 108);
    printf(" ");
    print_hex(out + 108, 4);
    printf(" ");
    print_hex(out + 112, 4);
    printf(" ");
    print_hex(mem, 128);
    printf("\n");
  }
  return 0;
}
