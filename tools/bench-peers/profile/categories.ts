/**
 * Where a sampled function belongs in tsemu's time budget (issue 12): translation, generated
 * code, helpers, the vCPU loop, the memory API, devices, the main loop. Decided from the
 * function's source file (through the bundle's source map) and, for code with no file, its
 * name: the JS backend names every TB's function `tb_<guest pc in hex>`, and a hot region's
 * `tb_<root's pc>_region<members>`.
 */

export interface FrameInfo {
  functionName: string;
  /** The script's URL in the profile ("" for code made by `new Function`). */
  url: string;
  /** The original source path ("packages/tcg/src/i386/translate/translate.ts"), else the URL. */
  source: string;
}

export interface Category {
  name: string;
  test: (frame: FrameInfo) => boolean;
}

const TCG = 'packages/tcg/src/';

/** In order: the first matching category wins. */
export const CATEGORIES: readonly Category[] = [
  { name: 'idle (waiting for the host)', test: (f) => f.functionName === '(idle)' },
  { name: 'garbage collection', test: (f) => f.functionName === '(garbage collector)' },
  {
    name: 'generated code (TBs)',
    test: (f) =>
      /^tb_[0-9a-f]+(_region\d+)?$/.test(f.functionName) ||
      (f.url === '' && (f.functionName === '' || f.functionName === 'anonymous')),
  },
  // The tiered backend's first tier: cold TBs run in the IR interpreter, not as JS.
  {
    name: 'IR interpreter (cold TBs)',
    test: (f) => f.source.includes(`${TCG}core/backend/interpreter`),
  },
  // The profiler's own entries and V8 builtins called by name (Math.sqrt, performance.now):
  // code with no script.
  { name: 'V8 and native code', test: (f) => f.url === '' },
  {
    name: 'translation',
    test: (f) =>
      includesAny(f.source, [
        `${TCG}i386/translate/`,
        `${TCG}i386/decode/`,
        `${TCG}i386/disas/`,
        `${TCG}core/ir/`,
        `${TCG}core/opt/`,
        `${TCG}core/backend/js-backend`,
        `${TCG}core/exec/translator`,
        `${TCG}core/exec/frontend`,
      ]),
  },
  {
    name: 'helpers',
    test: (f) =>
      includesAny(f.source, [
        `${TCG}i386/helpers/`,
        `${TCG}i386/fpu/`,
        `${TCG}i386/simd/`,
        `${TCG}i386/mmu/`,
        `${TCG}i386/cpu/cc-helper`,
        `${TCG}core/softmmu/`,
        'packages/softfloat/',
      ]) ||
      (f.source.includes(TCG) && /^helper/i.test(f.functionName)),
  },
  {
    name: 'vCPU loop (cpu_exec, TB lookup)',
    test: (f) => includesAny(f.source, [`${TCG}core/`, `${TCG}i386/`]),
  },
  { name: 'memory API', test: (f) => f.source.includes('packages/memory/') },
  {
    name: 'devices',
    test: (f) =>
      includesAny(f.source, [
        'packages/hw-',
        'packages/chardev/',
        'packages/block/',
        'packages/ui/',
      ]),
  },
  {
    name: 'main loop and machine',
    test: (f) =>
      includesAny(f.source, [
        'packages/system/',
        'packages/qom/',
        'packages/monitor/',
        'apps/cli/',
      ]),
  },
  { name: 'Node.js', test: (f) => f.url.startsWith('node:') },
];

export const OTHER = 'other';

export function categorize(frame: FrameInfo): string {
  return CATEGORIES.find((c) => c.test(frame))?.name ?? OTHER;
}

function includesAny(text: string, parts: readonly string[]): boolean {
  return parts.some((part) => text.includes(part));
}
