import { beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, formatMismatch } from './compare.js';
import { defineTest } from './define-test.js';
import { TestGenerator } from './generator.js';
import { checkHostSupport, NativeTarget } from './native-target.js';
import { CF, DATA_PAGE_ADDRESS, type Dump, exceptionOf, OF, SF, ZF } from './state.js';

const target = new NativeTarget({ batchSize: 500 });

// The host must run i386 programs: if it cannot, these tests fail with the reason (never a
// vacuous pass).
beforeAll(async () => {
  const support = await checkHostSupport();
  expect(support, 'this host cannot run 32-bit i386 programs').toEqual({ ok: true });
});

async function runOne(spec: Parameters<typeof defineTest>[0]): Promise<Dump> {
  const [dump] = await target.run([defineTest(spec)]);
  if (!dump) throw new Error('no dump');
  return dump;
}

describe('NativeTarget', () => {
  it('runs add eax, ebx: 0x7fffffff + 1 sets OF and SF', async () => {
    const d = await runOne({ source: 'add eax, ebx', regs: { eax: 0x7fffffff, ebx: 1 } });
    expect(d.outcome).toBe('completed');
    expect(d.regs[0]).toBe(0x80000000);
    expect(d.eflags & (OF | SF | ZF | CF)).toBe(OF | SF);
    expect(d.eipOffset).toBe(2);
  });

  it('loads the initial flags and data, and dumps stack writes in the data window', async () => {
    const data = new Uint8Array(16).fill(0xaa);
    const d = await runOne({
      source: 'adc eax, [DATA+0x780]\npush eax',
      regs: { eax: 1 },
      eflags: CF,
      data: { offset: 0x780, bytes: data, fill: 0x11223344 },
    });
    expect(d.regs[0]).toBe(0xaaaaaaac);
    expect(d.regs[4]).toBe(DATA_PAGE_ADDRESS + 0x7fc);
    expect([...d.data.slice(0x7c, 0x80)]).toEqual([0xac, 0xaa, 0xaa, 0xaa]);
    expect([...d.data.slice(0x10, 0x14)]).toEqual([0x44, 0x33, 0x22, 0x11]);
  });

  it('reports a division by zero as SIGFPE #DE at the faulting instruction', async () => {
    const d = await runOne({ source: 'inc ecx\ndiv ebx', regs: { eax: 5 } });
    expect(d.outcome).toBe('SIGFPE');
    expect(exceptionOf(d)).toBe('#DE');
    expect(d.eipOffset).toBe(1);
    expect(d.regs[1]).toBe(1);
    expect(d.regs[0]).toBe(5);
  });

  it('reports ud2 as SIGILL #UD', async () => {
    const d = await runOne({ source: 'nop\nud2' });
    expect(d.outcome).toBe('SIGILL');
    expect(exceptionOf(d)).toBe('#UD');
    expect(d.eipOffset).toBe(1);
  });

  it('reports an access past the data page as SIGSEGV #PF with the address', async () => {
    const d = await runOne({
      source: 'mov [ebx+4], eax',
      regs: { ebx: DATA_PAGE_ADDRESS + 0xffe },
    });
    expect(d.outcome).toBe('SIGSEGV');
    expect(exceptionOf(d)).toBe('#PF');
    expect(d.faultAddress).toBe(DATA_PAGE_ADDRESS + 0x1002);
    expect(d.cr2).toBe(DATA_PAGE_ADDRESS + 0x1002);
    expect(d.err & 6).toBe(6); // a user-mode write
  });

  it('reports int3 as SIGTRAP #BP after the instruction, and keeps going after faults', async () => {
    const dumps = await target.run([
      defineTest({ source: 'int3' }),
      defineTest({ source: 'ud2' }),
      defineTest({ source: 'mov eax, 7' }),
    ]);
    expect(dumps.map((d) => [d.outcome, exceptionOf(d), d.eipOffset])).toEqual([
      ['SIGTRAP', '#BP', 1],
      ['SIGILL', '#UD', 0],
      ['completed', '', 5],
    ]);
    expect(dumps[2]?.regs[0]).toBe(7);
  });

  it('is deterministic: a generated corpus run twice agrees, across batches', async () => {
    const tests = new TestGenerator().corpus(2);
    const [first, second] = await Promise.all([
      target.run(tests),
      new NativeTarget({ batchSize: 700 }).run(tests),
    ]);
    expect(first).toHaveLength(tests.length);
    expect(compareRuns(tests, first, second)).toEqual([]);
    expect(first.map((d) => d.index)).toEqual(tests.map((_, i) => i));
  });

  it('reports a corrupted expectation as a mismatch naming the form, seed and flag', async () => {
    const test = new TestGenerator().generate('add r32,r32', 42);
    const [real] = await target.run([test]);
    if (!real) throw new Error('no dump');
    const corrupted: Dump = {
      ...real,
      eflags: real.eflags ^ CF,
      regs: real.regs.map((v, i) => (i === 7 ? v ^ 1 : v)),
    };
    const [mismatch] = compareRuns([test], [real], [corrupted]);
    expect(mismatch?.differences).toEqual([
      `eflags: CF expected ${real.eflags & CF}, got ${(real.eflags & CF) ^ 1}`,
      expect.stringMatching(/^edi: expected 0x[0-9a-f]{8}, got 0x[0-9a-f]{8}$/),
    ]);
    const text = formatMismatch(mismatch as NonNullable<typeof mismatch>);
    expect(text).toContain('MISMATCH add r32,r32 seed 42 (group alu)');
    expect(text).toContain(
      `code: ${[...test.code].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
    );
    expect(text).toContain(test.source);
    expect(text).toContain("replay: pnpm conformance --form 'add r32,r32' --seed 42");
  });
});
