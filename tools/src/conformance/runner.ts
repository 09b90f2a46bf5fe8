/**
 * The runner image: one static i386 Linux executable that runs a batch of tests and dumps
 * each one's final state (dump.ts) to stdout. Layout (see docs/conformance.md):
 *
 *   0x08048000 R-X  runner code | test table | each test's code + `jmp test_end` | data inits
 *   0x0a000000 RW-  runner scratch (variables, load area, output record, stacks)  [.bss]
 *   0x10000000 RW-  the data page tests read and write                            [.bss]
 *
 * Nothing else is mapped near the data page, so an access just outside it faults.
 * For each test the runner fills the data page, loads EFLAGS with popfd and the registers
 * with plain MOVs (which leave the flags alone), loads ESP last and jumps to the code. The
 * code falls off its end onto a `jmp test_end`. A fault instead enters the signal handler
 * on an alternate stack, which copies the registers from the signal's sigcontext; both
 * paths then dump and continue with the next test, so thousands of tests share one process.
 *
 * A test with an FPU state (x87, MMX, SSE) has it loaded by FXRSTOR before its registers,
 * and dumped by FXSAVE after them; after a fault, the handler copies it from the signal
 * frame's `fpstate` (the FXSAVE image Linux puts behind the legacy FSAVE header).
 */
import { assemble } from '@tsemu/x86asm';
import {
  DUMP_RECORD_HEADER_SIZE,
  DUMP_RECORD_MAGIC,
  DUMP_STREAM_MAGIC,
  DUMP_VERSION,
} from './dump.js';
import { PF_R, PF_W, PF_X, writeElf32 } from './elf.js';
import {
  type ConformanceTest,
  DATA_PAGE_ADDRESS,
  DATA_PAGE_SIZE,
  FPU_STATE_SIZE,
  Fx,
  REGISTER_NAMES,
  SIGNAL_NUMBERS,
  TESTABLE_FLAGS,
} from './state.js';

export const CODE_BASE = 0x08048000;
export const SCRATCH_BASE = 0x0a000000;
const SCRATCH_SIZE = 0x20000;

/** A test table record, as the runner reads it (offsets in bytes). */
export const TestRecord = {
  codeAddress: 0,
  codeLength: 4,
  regs: 8, // 8 × u32, then eflags: loaded together into the load area
  eflags: 40,
  fill: 44,
  initAddress: 48,
  initOffset: 52,
  initLength: 56,
  windowOffset: 60,
  windowLength: 64,
  /** Address of the FPU state to FXRSTOR (16-byte aligned), 0 for none (integer tests). */
  extendedState: 68,
  size: 72,
} as const;

/** Linux i386 system call numbers the runner uses. */
const SYS_EXIT = 1;
const SYS_WRITE = 4;
const SYS_SIGALTSTACK = 186;
const SYS_RT_SIGACTION = 174;
const SYS_RT_SIGRETURN = 173;

/** sa_flags: SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_NODEFER (the handler never returns). */
const SA_FLAGS = 0x00000004 | 0x08000000 | 0x04000000 | 0x40000000;

/** Offsets in the ia32 rt signal frame's ucontext: uc_mcontext (struct sigcontext) is at 20. */
const UC_MCONTEXT = 20;
const SigContext = {
  edi: 16,
  esi: 20,
  ebp: 24,
  esp: 28,
  ebx: 32,
  edx: 36,
  ecx: 40,
  eax: 44,
  trapno: 48,
  err: 52,
  eip: 56,
  eflags: 64,
  fpstate: 76,
  cr2: 84,
} as const;
/**
 * The ia32 `struct _fpstate_32` sigcontext.fpstate points at: the legacy FSAVE header
 * (112 bytes; its `magic` word at 110 is 0 when an FXSAVE image follows), then the image.
 */
const FPSTATE_FXSAVE = 112;

/** FXSAVE [disp32] and FXRSTOR [eax]: x86asm has no mnemonics for them. */
const fxsaveTo = (address: string) => `db 0x0f, 0xae, 0x05\n  dd ${address}`;
const FXRSTOR_EAX = 'db 0x0f, 0xae, 0x08';

/** The exit status of a runner that could not set itself up or write its output. */
export const RUNNER_FATAL_EXIT = 3;

function runnerSource(): string {
  const out = 'OUT';
  // sigcontext register offset for each dump register slot, in REGISTER_NAMES order.
  const fromSigcontext = REGISTER_NAMES.map(
    (name, i) => `  mov eax, [esi+${SigContext[name]}]\n  mov [${out}+${12 + 4 * i}], eax`,
  ).join('\n');
  const storeRegs = REGISTER_NAMES.map((name, i) => `  mov [${out}+${12 + 4 * i}], ${name}`).join(
    '\n',
  );
  const loadRegs = REGISTER_NAMES.filter((name) => name !== 'esp')
    .map((name) => `  mov ${name}, [LOAD+${4 * REGISTER_NAMES.indexOf(name)}]`)
    .join('\n');
  const installs = Object.values(SIGNAL_NUMBERS)
    .map((sig) => `  mov ebx, ${sig}\n  call install_handler`)
    .join('\n');
  return `
bits 32
start:
  mov esp, STACK_TOP
  cld
  mov dword [STACK_T], ALTSTACK
  mov dword [STACK_T+4], 0
  mov dword [STACK_T+8], ALTSTACK_SIZE
  mov eax, ${SYS_SIGALTSTACK}
  mov ebx, STACK_T
  xor ecx, ecx
  int 0x80
  test eax, eax
  jnz fatal
  mov dword [SIGACT], handler
  mov dword [SIGACT+4], ${SA_FLAGS}
  mov dword [SIGACT+8], restorer
  mov dword [SIGACT+12], 0
  mov dword [SIGACT+16], 0
${installs}
  mov dword [HEADER], ${DUMP_STREAM_MAGIC}
  mov dword [HEADER+4], ${DUMP_VERSION}
  mov dword [HEADER+8], ${DUMP_RECORD_HEADER_SIZE}
  mov dword [HEADER+12], 0
  mov eax, ${SYS_WRITE}
  mov ebx, 1
  mov ecx, HEADER
  mov edx, 16
  int 0x80
  cmp eax, edx
  jne fatal
  mov esi, TABLE
  mov eax, [esi]
  mov [REMAINING], eax
  add esi, 4
  mov [CUR_RECORD], esi
  mov dword [CUR_INDEX], 0

next_test:
  cmp dword [REMAINING], 0
  je done
  mov ebx, [CUR_RECORD]
  mov edi, DATA
  mov ecx, ${DATA_PAGE_SIZE / 4}
  mov eax, [ebx+${TestRecord.fill}]
  rep stosd
  mov esi, [ebx+${TestRecord.initAddress}]
  mov edi, DATA
  add edi, [ebx+${TestRecord.initOffset}]
  mov ecx, [ebx+${TestRecord.initLength}]
  rep movsb
  lea esi, [ebx+${TestRecord.regs}]
  mov edi, LOAD
  mov ecx, 9
  rep movsd
  mov eax, [ebx+${TestRecord.extendedState}]
  test eax, eax
  jz .no_fpu
  ${FXRSTOR_EAX}
.no_fpu:
  mov eax, [ebx+${TestRecord.codeAddress}]
  mov [LOAD_EIP], eax
  mov dword [IN_TEST], 1
  push dword [LOAD+32]
  popfd
${loadRegs}
  mov esp, [LOAD+16]
  jmp dword [LOAD_EIP]

test_end:
${storeRegs}
  mov esp, STACK_TOP
  pushfd
  pop dword [${out}+48]
  cld
  mov dword [IN_TEST], 0
  mov ebx, [CUR_RECORD]
  mov dword [${out}+80], 0
  cmp dword [ebx+${TestRecord.extendedState}], 0
  je .no_fpu
  mov edi, FXBUF
  mov ecx, ${512 / 4}
  xor eax, eax
  rep stosd
  ${fxsaveTo('FXBUF')}
  mov esi, FXBUF
  mov edi, ${out}+${DUMP_RECORD_HEADER_SIZE}
  mov ecx, ${FPU_STATE_SIZE / 4}
  rep movsd
  mov dword [${out}+80], ${FPU_STATE_SIZE}
.no_fpu:
  mov eax, [ebx+${TestRecord.codeLength}]
  mov [${out}+44], eax
  xor eax, eax
  mov [${out}+8], eax
  mov [${out}+52], eax
  mov [${out}+56], eax
  mov [${out}+60], eax
  mov [${out}+64], eax
  mov [${out}+68], eax
  jmp finish

handler:
  cmp dword [IN_TEST], 0
  je fatal
  mov dword [IN_TEST], 0
  mov eax, [esp+4]
  mov [${out}+8], eax
  mov ecx, [esp+8]
  mov eax, [ecx+8]
  mov [${out}+60], eax
  mov eax, [ecx+12]
  mov [${out}+64], eax
  mov esi, [esp+12]
  add esi, ${UC_MCONTEXT}
${fromSigcontext}
  mov eax, [esi+${SigContext.trapno}]
  mov [${out}+52], eax
  mov eax, [esi+${SigContext.err}]
  mov [${out}+56], eax
  mov eax, [esi+${SigContext.eflags}]
  mov [${out}+48], eax
  mov eax, [esi+${SigContext.cr2}]
  mov [${out}+68], eax
  mov eax, [esi+${SigContext.eip}]
  mov esp, STACK_TOP
  cld
  mov ebx, [CUR_RECORD]
  sub eax, [ebx+${TestRecord.codeAddress}]
  mov [${out}+44], eax
  mov dword [${out}+80], 0
  cmp dword [ebx+${TestRecord.extendedState}], 0
  je finish
  mov esi, [esi+${SigContext.fpstate}]
  test esi, esi
  jz finish
  add esi, ${FPSTATE_FXSAVE}
  mov edi, ${out}+${DUMP_RECORD_HEADER_SIZE}
  mov ecx, ${FPU_STATE_SIZE / 4}
  rep movsd
  mov dword [${out}+80], ${FPU_STATE_SIZE}

finish:
  mov dword [${out}], ${DUMP_RECORD_MAGIC}
  mov eax, [CUR_INDEX]
  mov [${out}+4], eax
  mov ebx, [CUR_RECORD]
  mov eax, [ebx+${TestRecord.windowOffset}]
  mov [${out}+72], eax
  mov ecx, [ebx+${TestRecord.windowLength}]
  mov [${out}+76], ecx
  mov esi, DATA
  add esi, eax
  mov edi, ${out}+${DUMP_RECORD_HEADER_SIZE}
  add edi, [${out}+80]
  rep movsb
  mov edx, [${out}+76]
  add edx, [${out}+80]
  add edx, ${DUMP_RECORD_HEADER_SIZE}
  mov eax, ${SYS_WRITE}
  mov ebx, 1
  mov ecx, ${out}
  int 0x80
  cmp eax, edx
  jne fatal
  add dword [CUR_RECORD], ${TestRecord.size}
  inc dword [CUR_INDEX]
  dec dword [REMAINING]
  jmp next_test

done:
  mov eax, ${SYS_EXIT}
  xor ebx, ebx
  int 0x80

fatal:
  mov eax, ${SYS_EXIT}
  mov ebx, ${RUNNER_FATAL_EXIT}
  int 0x80

install_handler:
  mov eax, ${SYS_RT_SIGACTION}
  mov ecx, SIGACT
  xor edx, edx
  mov esi, 8
  int 0x80
  test eax, eax
  jnz fatal
  ret

restorer:
  mov eax, ${SYS_RT_SIGRETURN}
  int 0x80
`;
}

/** Scratch variables (addresses in the runner's RW segment). */
const SCRATCH_SYMBOLS = {
  CUR_RECORD: SCRATCH_BASE + 0x00,
  REMAINING: SCRATCH_BASE + 0x04,
  CUR_INDEX: SCRATCH_BASE + 0x08,
  IN_TEST: SCRATCH_BASE + 0x0c,
  HEADER: SCRATCH_BASE + 0x20,
  LOAD: SCRATCH_BASE + 0x40, // 8 registers, then EFLAGS
  LOAD_EIP: SCRATCH_BASE + 0x64,
  OUT: SCRATCH_BASE + 0x1000, // one dump record: header, FPU state, up to a page of data
  SIGACT: SCRATCH_BASE + 0x3000,
  STACK_T: SCRATCH_BASE + 0x3020,
  FXBUF: SCRATCH_BASE + 0x3200, // FXSAVE's 512 bytes (16-byte aligned)
  STACK_TOP: SCRATCH_BASE + 0x8000,
  ALTSTACK: SCRATCH_BASE + 0x10000,
  ALTSTACK_SIZE: 0x10000,
  DATA: DATA_PAGE_ADDRESS,
};

/** A built runner image and where each test's code landed. */
export interface RunnerImage {
  readonly elf: Uint8Array;
  readonly codeAddresses: readonly number[];
}

function align(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Checks what the runner relies on; a bad test is a host-side mistake. */
export function validateTest(test: ConformanceTest): void {
  const { initial, data, window } = test;
  const where = `test ${test.form} seed ${test.seed}`;
  if (initial.regs.length !== 8) throw new Error(`${where}: initial state needs 8 registers`);
  if ((initial.eflags & ~TESTABLE_FLAGS & ~2) !== 0) {
    throw new Error(
      `${where}: initial EFLAGS 0x${initial.eflags.toString(16)} sets flags a test may not set`,
    );
  }
  if (data.offset < 0 || data.offset + data.bytes.length > DATA_PAGE_SIZE) {
    throw new Error(`${where}: data init is outside the data page`);
  }
  if (window.offset < 0 || window.length < 0 || window.offset + window.length > DATA_PAGE_SIZE) {
    throw new Error(`${where}: data window is outside the data page`);
  }
  if (test.fpu !== undefined) {
    if (test.fpu.length !== FPU_STATE_SIZE)
      throw new Error(`${where}: the FPU state must be ${FPU_STATE_SIZE} bytes`);
    const mxcsr = new DataView(test.fpu.buffer, test.fpu.byteOffset).getUint32(Fx.MXCSR, true);
    // FXRSTOR would #GP in the runner, outside the test.
    if (mxcsr & 0xffff0000) throw new Error(`${where}: MXCSR 0x${mxcsr.toString(16)} is invalid`);
  }
}

/** Builds the runner executable for a batch of tests. */
export function buildRunnerImage(tests: readonly ConformanceTest[]): RunnerImage {
  for (const t of tests) validateTest(t);
  const source = runnerSource();
  const firstPass = assemble(source, { org: CODE_BASE, symbols: { ...SCRATCH_SYMBOLS, TABLE: 0 } });
  const tableAddress = CODE_BASE + align(firstPass.bytes.length, 16);
  const runner = assemble(source, {
    org: CODE_BASE,
    symbols: { ...SCRATCH_SYMBOLS, TABLE: tableAddress },
  });
  if (runner.bytes.length !== firstPass.bytes.length)
    throw new Error('runner size depends on TABLE');
  const testEnd = runner.symbol('test_end');

  const tableSize = 4 + tests.length * TestRecord.size;
  let cursor = tableAddress + tableSize;
  const codeAddresses: number[] = [];
  for (const t of tests) {
    codeAddresses.push(cursor);
    cursor += t.code.length + 5;
  }
  const initAddresses: number[] = [];
  for (const t of tests) {
    initAddresses.push(cursor);
    cursor += t.data.bytes.length;
  }
  // FPU states, 16-byte aligned for FXRSTOR; FXRSTOR reads 512 bytes, so the segment goes on
  // 512 - FPU_STATE_SIZE bytes after the last one.
  const fpuAddresses: number[] = [];
  cursor = align(cursor, 16);
  for (const t of tests) {
    fpuAddresses.push(t.fpu ? cursor : 0);
    if (t.fpu) cursor += FPU_STATE_SIZE;
  }
  if (fpuAddresses.some((a) => a !== 0)) cursor += 512 - FPU_STATE_SIZE;

  const code = new Uint8Array(cursor - CODE_BASE);
  const view = new DataView(code.buffer);
  code.set(runner.bytes, 0);
  const tableOffset = tableAddress - CODE_BASE;
  view.setUint32(tableOffset, tests.length, true);
  tests.forEach((t, i) => {
    const rec = tableOffset + 4 + i * TestRecord.size;
    const codeAddress = codeAddresses[i] as number;
    const put = (field: number, value: number) => view.setUint32(rec + field, value >>> 0, true);
    put(TestRecord.codeAddress, codeAddress);
    put(TestRecord.codeLength, t.code.length);
    t.initial.regs.forEach((v, r) => {
      put(TestRecord.regs + 4 * r, v);
    });
    put(TestRecord.eflags, t.initial.eflags | 2);
    put(TestRecord.fill, t.data.fill);
    put(TestRecord.initAddress, initAddresses[i] as number);
    put(TestRecord.initOffset, t.data.offset);
    put(TestRecord.initLength, t.data.bytes.length);
    put(TestRecord.windowOffset, t.window.offset);
    put(TestRecord.windowLength, t.window.length);
    put(TestRecord.extendedState, fpuAddresses[i] as number);
    if (t.fpu) code.set(t.fpu, (fpuAddresses[i] as number) - CODE_BASE);

    const codeOffset = codeAddress - CODE_BASE;
    code.set(t.code, codeOffset);
    const jmpAt = codeOffset + t.code.length;
    code[jmpAt] = 0xe9; // jmp rel32 to test_end
    view.setInt32(jmpAt + 1, testEnd - (codeAddress + t.code.length + 5), true);
    code.set(t.data.bytes, (initAddresses[i] as number) - CODE_BASE);
  });

  const { bytes } = writeElf32({
    entry: CODE_BASE,
    segments: [
      { vaddr: CODE_BASE, bytes: code, flags: PF_R | PF_X },
      // One file-backed page each: kernels before 6.7 mishandle PT_LOADs with p_filesz 0.
      {
        vaddr: SCRATCH_BASE,
        bytes: new Uint8Array(0x1000),
        memSize: SCRATCH_SIZE,
        flags: PF_R | PF_W,
      },
      { vaddr: DATA_PAGE_ADDRESS, bytes: new Uint8Array(DATA_PAGE_SIZE), flags: PF_R | PF_W },
    ],
  });
  return { elf: bytes, codeAddresses };
}
