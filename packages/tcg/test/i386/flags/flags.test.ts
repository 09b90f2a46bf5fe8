import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BACKENDS, TestMachine } from '../machine.js';
import { NATIVE_RESULTS, NATIVE_VECTOR_COUNT } from './native-results.js';
import { buildVectors, RECORD_WORDS, vectorBody } from './vectors.js';

/**
 * Results and flags of the integer instructions against a real processor: the expected
 * values were recorded by running the same vectors natively (gen-native.ts); flags and
 * register bits the architecture leaves undefined are not compared.
 */
const vectors = buildVectors();
const native = new Uint32Array(
  new Uint8Array(inflateSync(Buffer.from(NATIVE_RESULTS, 'base64'))).buffer,
);
const BUFFER = 0x200000;
const program = `
  cld
  mov edi, ${BUFFER}
${vectorBody(vectors)}
  hlt
`;

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

describe.each(BACKENDS)('integer results and flags match a real CPU (%s)', (backend) => {
  it(`runs ${vectors.length} vectors`, () => {
    expect(NATIVE_VECTOR_COUNT).toBe(vectors.length);
    const m = new TestMachine({ backend, ramSize: 8 << 20 });
    m.loadFlat32(program);
    expect(m.run()).toBe('halted');
    const got = new Uint32Array(m.read(BUFFER, vectors.length * RECORD_WORDS * 4).slice().buffer);
    const failures: string[] = [];
    vectors.forEach((v, i) => {
      const base = i * RECORD_WORDS;
      const regs = ['eax', 'ebx', 'ecx', 'edx'];
      for (let r = 0; r < 4; r++) {
        const mask = v.regMask[r];
        if (((got[base + r] ^ native[base + r]) & mask) !== 0) {
          failures.push(
            `${v.code.replace(/\n/g, '; ')} [eax=${hex(v.eax)} ebx=${hex(v.ebx)} ecx=${hex(v.ecx)} edx=${hex(v.edx)} fl=${hex(v.flagsIn)}]: ${regs[r]} ${hex(got[base + r])} != ${hex(native[base + r])}`,
          );
        }
      }
      const f = base + 4;
      if (((got[f] ^ native[f]) & v.flagMask) !== 0) {
        failures.push(
          `${v.code.replace(/\n/g, '; ')} [eax=${hex(v.eax)} ebx=${hex(v.ebx)} ecx=${hex(v.ecx)} fl=${hex(v.flagsIn)}]: flags ${hex(got[f] & v.flagMask)} != ${hex(native[f] & v.flagMask)} (mask ${hex(v.flagMask)})`,
        );
      }
    });
    expect(failures.slice(0, 40)).toEqual([]);
  });
});
