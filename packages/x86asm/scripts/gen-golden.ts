/**
 * Regenerates the golden files that the tests compare against, using GNU
 * binutils (as, objcopy, nm, objdump). The tests themselves never run these
 * tools: they read the committed files.
 *
 *   node --import tsx scripts/gen-golden.ts
 *
 * Writes:
 *   test/golden/gas-{16,32}.txt                  GNU as bytes for every corpus line
 *   ../tcg/src/i386/decode/testdata/objdump-{16,32}.txt   objdump's reading of those bytes
 *   ../tcg/src/i386/decode/testdata/random-{16,32}.txt    objdump's reading of random byte strings
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CorpusEntry, corpus, FAR_PADDING } from './corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, '../test/golden');
const decoderDir = join(here, '../../tcg/src/i386/decode/testdata');
const work = mkdtempSync(join(tmpdir(), 'x86asm-golden-'));

function objdumpMachine(bits: 16 | 32): string[] {
  return bits === 16 ? ['-M', 'intel,i8086'] : ['-M', 'intel'];
}

/** Assembles with GNU as, dropping lines it rejects; returns the kept entries and the object path. */
function assembleWithGas(
  bits: 16 | 32,
  entries: CorpusEntry[],
): { kept: CorpusEntry[]; rejected: string[]; obj: string } {
  let kept = entries;
  const rejected: string[] = [];
  const src = join(work, `corpus${bits}.s`);
  const obj = join(work, `corpus${bits}.o`);
  for (let attempt = 0; attempt < 20; attempt++) {
    const header = [
      '.intel_syntax noprefix',
      `.code${bits}`,
      '.text',
      '__far_back:',
      `.fill ${FAR_PADDING}, 1, 0x90`,
    ];
    const firstLine = header.length + 1;
    const body = kept.map((e, i) => `__c${i}: ${e.gas}`);
    const trailer = [`__c${kept.length}:`, `.fill ${FAR_PADDING}, 1, 0x90`, '__far_fwd:'];
    writeFileSync(src, `${[...header, ...body, ...trailer].join('\n')}\n`);
    const result = spawnSync('as', ['--32', '-o', obj, src], { encoding: 'utf8' });
    const bad = new Set<number>();
    for (const m of result.stderr.matchAll(/:(\d+): (Error): (.*)/g)) {
      const index = Number(m[1]) - firstLine;
      if (index >= 0 && index < kept.length) {
        bad.add(index);
        rejected.push(`${kept[index].gas}    <- ${m[2]}: ${m[3]}`);
      }
    }
    if (bad.size === 0 && result.status === 0) return { kept, rejected, obj };
    if (bad.size === 0) throw new Error(`as failed:\n${result.stderr}`);
    kept = kept.filter((_, i) => !bad.has(i));
  }
  throw new Error('as keeps rejecting lines');
}

function symbolTable(obj: string): Map<string, number> {
  const out = execFileSync('nm', [obj], { encoding: 'utf8' });
  const map = new Map<string, number>();
  for (const line of out.split('\n')) {
    const [addr, , name] = line.trim().split(/\s+/);
    if (name) map.set(name, Number.parseInt(addr, 16));
  }
  return map;
}

function textBytes(obj: string): Buffer {
  const bin = `${obj}.bin`;
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', obj, bin]);
  return readFileSync(bin);
}

interface DisassembledLine {
  address: number;
  bytes: string;
  text: string;
}

/** Disassembles a raw binary with objdump; one entry per instruction. */
function objdumpBinary(bin: string, bits: 16 | 32): DisassembledLine[] {
  const out = execFileSync(
    'objdump',
    ['-D', '-b', 'binary', '-m', 'i386', ...objdumpMachine(bits), '--insn-width=16', bin],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  return parseObjdump(out);
}

function parseObjdump(out: string): DisassembledLine[] {
  const lines: DisassembledLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$/.exec(line);
    if (!m) continue;
    lines.push({
      address: Number.parseInt(m[1], 16),
      bytes: m[2].trim().replace(/ /g, ''),
      text: m[3].trim(),
    });
  }
  return lines;
}

function generateCorpus(bits: 16 | 32): void {
  const { kept, rejected, obj } = assembleWithGas(bits, corpus(bits));
  const symbols = symbolTable(obj);
  const text = textBytes(obj);
  const golden: string[] = [];
  for (let i = 0; i < kept.length; i++) {
    const start = symbols.get(`__c${i}`)!;
    const end = symbols.get(`__c${i + 1}`)!;
    golden.push(`${text.subarray(start, end).toString('hex')}\t${kept[i].nasm}`);
  }
  writeFileSync(
    join(goldenDir, `gas-${bits}.txt`),
    `# GNU as ${gasVersion()} bytes for each corpus line (bits ${bits}); regenerate with scripts/gen-golden.ts\n${golden.join('\n')}\n`,
  );
  console.log(`bits ${bits}: ${kept.length} lines kept, ${rejected.length} rejected by GNU as`);
  writeFileSync(
    join(goldenDir, `gas-rejected-${bits}.txt`),
    `# corpus lines GNU as does not accept (bits ${bits}); they are not compared\n${rejected.join('\n')}\n`,
  );

  // objdump's reading of the corpus bytes (without the padding).
  const bin = join(work, `corpus${bits}.code`);
  const first = symbols.get('__c0')!;
  const last = symbols.get(`__c${kept.length}`)!;
  writeFileSync(bin, text.subarray(first, last));
  const lines = objdumpBinary(bin, bits);
  writeFileSync(
    join(decoderDir, `objdump-${bits}.txt`),
    `# objdump ${objdumpVersion()} -M intel${bits === 16 ? ',i8086' : ''}: address, bytes, text (bits ${bits}); regenerate with packages/x86asm/scripts/gen-golden.ts\n${lines
      .map((l) => `${l.address.toString(16)}\t${l.bytes}\t${l.text}`)
      .join('\n')}\n`,
  );
}

/** A small deterministic PRNG (xorshift32) so the random corpus is reproducible. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const PREFIXES = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

function randomSample(rand: () => number): number[] {
  const bytes: number[] = [];
  const r = rand();
  if (r < 0.25) {
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) bytes.push(PREFIXES[Math.floor(rand() * PREFIXES.length)]);
  }
  if (rand() < 0.35) bytes.push(0x0f);
  while (bytes.length < 16) bytes.push(Math.floor(rand() * 256));
  return bytes.slice(0, 16);
}

function generateRandom(bits: 16 | 32, count: number, seed: number): void {
  const rand = prng(seed);
  const samples = Array.from({ length: count }, () => randomSample(rand));
  const src = join(work, `random${bits}.s`);
  const obj = join(work, `random${bits}.o`);
  const body = samples.map((s, i) => `.section .s${i},"ax",@progbits\n.byte ${s.join(',')}`);
  writeFileSync(src, `${body.join('\n')}\n`);
  execFileSync('as', ['--32', '-o', obj, src]);
  const out = execFileSync('objdump', ['-d', ...objdumpMachine(bits), '--insn-width=16', obj], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  // Split per section; the first instruction of each is the one that starts at byte 0.
  const first = new Map<number, DisassembledLine>();
  let section = -1;
  for (const line of out.split('\n')) {
    const sec = /^Disassembly of section \.s(\d+):/.exec(line);
    if (sec) {
      section = Number(sec[1]);
      continue;
    }
    if (section < 0 || first.has(section)) continue;
    const [parsed] = parseObjdump(line);
    if (parsed && parsed.address === 0) first.set(section, parsed);
  }
  const rows = samples.map((s, i) => {
    const d = first.get(i);
    const hex = Buffer.from(s).toString('hex');
    return d ? `${hex}\t${d.bytes.length / 2}\t${d.text}` : `${hex}\t0\t(none)`;
  });
  writeFileSync(
    join(decoderDir, `random-${bits}.txt`),
    `# objdump ${objdumpVersion()} on random 16-byte strings (bits ${bits}, seed ${seed}): bytes, length of the first instruction, its text\n${rows.join('\n')}\n`,
  );
  console.log(`bits ${bits}: ${count} random samples`);
}

function gasVersion(): string {
  return (
    /GNU assembler.*?([\d.]+)\s*$/m.exec(
      execFileSync('as', ['--version'], { encoding: 'utf8' }),
    )?.[1] ?? '?'
  );
}
function objdumpVersion(): string {
  return (
    /GNU objdump.*?([\d.]+)\s*$/m.exec(
      execFileSync('objdump', ['--version'], { encoding: 'utf8' }),
    )?.[1] ?? '?'
  );
}

execFileSync('mkdir', ['-p', goldenDir, decoderDir]);
try {
  for (const bits of [16, 32] as const) {
    generateCorpus(bits);
    generateRandom(bits, 4000, bits === 32 ? 0x32323232 : 0x16161616);
  }
} finally {
  if (process.env.KEEP_WORK !== '1') rmSync(work, { recursive: true, force: true });
}
