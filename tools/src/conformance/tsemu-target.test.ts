import { beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from './compare.js';
import { defineTest, type TestSpec } from './define-test.js';
import { FpuState } from './fpu-state.js';
import { checkHostSupport, NativeTarget } from './native-target.js';
import { buildRunnerImage } from './runner.js';
import { DATA_PAGE_ADDRESS, type Dump, exceptionOf, OF } from './state.js';
import { runImageOnTsemu, TsemuTarget } from './tsemu-target.js';

const tsemu = new TsemuTarget({ batchSize: 4 });
const native = new NativeTarget();

/** EFLAGS.RF: the host sets it in the frame of a fault, tsemu does not (docs/conformance.md). */
const RF = 0x10000;

// The comparisons need the host to run i386 programs: if it cannot, they fail with the
// reason (never a vacuous pass).
beforeAll(async () => {
  expect(await checkHostSupport(), 'this host cannot run 32-bit i386 programs').toEqual({
    ok: true,
  });
});

/** One test per way a user-mode instruction can end, each run on both targets. */
const endings: TestSpec[] = [
  { source: 'add eax, ebx', regs: { eax: 0x7fffffff, ebx: 1 } },
  { source: 'inc ecx\ndiv ebx', regs: { eax: 5 } }, // #DE
  { source: 'nop\nud2' }, // #UD
  { source: 'mov [ebx+4], eax', regs: { ebx: DATA_PAGE_ADDRESS + 0xffe } }, // #PF write
  { source: 'mov eax, [0x1000]' }, // #PF read
  { source: 'mov dword [0x08048000], 1' }, // #PF: code is read-only
  { source: `mov eax, ${DATA_PAGE_ADDRESS + 0x780}\njmp eax` }, // #PF: data is not executable
  { source: 'int3' }, // #BP, reported after the instruction
  { source: 'int 3' },
  { source: 'into', eflags: OF }, // #OF
  { source: 'into' }, // no overflow: nothing
  { source: 'bound eax, [0x10000780]', regs: { eax: 5 } }, // #BR
  { source: 'int 0x21' }, // #GP(0x10a): the gate is DPL 0
  { source: 'hlt' }, // #GP(0)
  { source: 'in al, dx' }, // #GP(0): no I/O permission
  { source: 'push eax', regs: { esp: DATA_PAGE_ADDRESS } }, // #PF below the data page
  { source: 'mov eax, 9999\nint 0x80' }, // an unknown system call: -ENOSYS
  { source: 'mov eax, 7' },
];

describe('TsemuTarget', () => {
  it('ends every kind of test as the host does, in every dump field', async () => {
    const tests = endings.map((spec) => defineTest(spec));
    // One batch each: CR2 in a sigcontext is the process's last page fault, batch-dependent.
    const [expected, actual] = await Promise.all([native.run(tests), new TsemuTarget().run(tests)]);
    // Every field, si_code and CR2 included, except RF in the faults' EFLAGS.
    const strip = (d: Dump) => ({ ...d, eflags: d.eflags & ~RF });
    expect(actual.map(strip)).toEqual(expected.map(strip));
    expect(actual.map((d) => `${d.outcome} ${exceptionOf(d)}`)).toEqual([
      'completed ',
      'SIGFPE #DE',
      'SIGILL #UD',
      'SIGSEGV #PF',
      'SIGSEGV #PF',
      'SIGSEGV #PF',
      'SIGSEGV #PF',
      'SIGTRAP #BP',
      'SIGTRAP #BP',
      'SIGSEGV #OF',
      'completed ',
      'SIGSEGV #BR',
      'SIGSEGV #GP',
      'SIGSEGV #GP',
      'SIGSEGV #GP',
      'SIGSEGV #PF',
      'completed ',
      'completed ',
    ]);
    expect(actual[16]?.regs[0]).toBe(-38 >>> 0);
  });

  it('loads and dumps the FPU state, and reports #MF and #XM with their codes', async () => {
    // ST0 = 1.0, ST1 = +0; XMM0 = 1.0f lanes, XMM1 = zeros.
    const fpu = (fcw: number, mxcsr: number, fsw = 0) => {
      const s = new FpuState();
      s.fcw = fcw;
      s.fsw = fsw;
      s.mxcsr = mxcsr;
      s.setSt(0, { signExp: 0x3fff, high: 0x80000000, low: 0 });
      s.setEmpty(0, false);
      s.setEmpty(1, false);
      s.setXmm(0, new Uint8Array(new Float32Array([1, 1, 1, 1]).buffer));
      return s.bytes;
    };
    const ZE_UNMASKED = 0x037b;
    const tests = [
      // fdiv st0, st1; fwait: 1/0 with ZE masked, then unmasked (#MF at the FWAIT).
      defineTest({ source: 'db 0xd8, 0xf1, 0x9b', fpu: fpu(0x037f, 0x1f80) }),
      defineTest({ source: 'db 0xd8, 0xf1, 0x9b', fpu: fpu(ZE_UNMASKED, 0x1f80) }),
      // divps xmm0, xmm1: 1/0 with ZE masked, then unmasked (#XM).
      defineTest({ source: 'db 0x0f, 0x5e, 0xc1', fpu: fpu(0x037f, 0x1f80) }),
      defineTest({ source: 'db 0x0f, 0x5e, 0xc1', fpu: fpu(0x037f, 0x1f80 & ~0x0200) }),
      // emms with an unmasked x87 exception pending: #MF.
      defineTest({ source: 'db 0x0f, 0x77', fpu: fpu(ZE_UNMASKED, 0x1f80, 0x8084) }),
      // fld qword [0x1000]: #PF, the FPU state is the one before.
      defineTest({ source: 'db 0xdd, 0x05, 0x00, 0x10, 0x00, 0x00', fpu: fpu(0x037f, 0x1f80) }),
    ];
    const [expected, actual] = await Promise.all([native.run(tests), new TsemuTarget().run(tests)]);
    expect(compareRuns(tests, expected, actual).map((m) => m.differences)).toEqual([]);
    expect(actual.map((d) => `${d.outcome} ${exceptionOf(d)} ${d.siCode}`)).toEqual([
      'completed  0',
      'SIGFPE #MF 3',
      'completed  0',
      'SIGFPE #XM 3',
      'SIGFPE #MF 3',
      'SIGSEGV #PF 1',
    ]);
    expect(actual.every((d) => d.fpu !== null)).toBe(true);
    // 1/0 = +inf in ST0 (masked), and the FSW says ZE.
    const first = actual[0]?.fpu as Uint8Array;
    const st0 = new DataView(first.buffer, first.byteOffset).getUint16(32 + 8, true);
    expect(st0).toBe(0x7fff);
  });

  it('finds a real difference: RDTSC reads a different clock on tsemu', async () => {
    const tests = [defineTest({ source: 'rdtsc' })];
    const [expected, actual] = await Promise.all([native.run(tests), tsemu.run(tests)]);
    const [mismatch] = compareRuns(tests, expected, actual);
    expect(mismatch?.differences).toContainEqual(expect.stringMatching(/^edx: expected/));
  });

  it('numbers dumps across batches and keeps going after faults', async () => {
    const tests = ['ud2', 'mov eax, 1', 'int3', 'mov eax, 2', 'ud2', 'mov eax, 3'].map((source) =>
      defineTest({ source }),
    );
    const dumps = await tsemu.run(tests);
    expect(dumps.map((d) => d.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(dumps.map((d) => d.outcome)).toEqual([
      'SIGILL',
      'completed',
      'SIGTRAP',
      'completed',
      'SIGILL',
      'completed',
    ]);
    expect(dumps[5]?.regs[0]).toBe(3);
  });

  it('says which test it stopped at when the runner does not finish', () => {
    const tests = [defineTest({ source: 'nop' }), defineTest({ source: 'mov eax, 1' })];
    // An image for the first test only: the second dump never comes.
    const elf = buildRunnerImage(tests.slice(0, 1)).elf;
    expect(() => runImageOnTsemu(elf, tests)).toThrow(
      /1\/2 dumps \(stopped at test 1: mov eax, 1 seed 0\)/,
    );
  });
});
