/**
 * Seeded test generation: `generateTest(form, seed)` always gives the same test, so a
 * mismatch is replayed from its form name and seed alone. A corpus is a list of
 * (form, first seed, count) entries: seeds, not results.
 */
import { type InstructionForm, instructionForms } from './forms.js';
import { Rng } from './rng.js';
import type { ConformanceTest } from './state.js';
import { TestBuilder } from './test-builder.js';

/** Generates tests from the known instruction forms. */
export class TestGenerator {
  readonly forms: ReadonlyMap<string, InstructionForm> = instructionForms();

  form(name: string): InstructionForm {
    const form = this.forms.get(name);
    if (!form) throw new Error(`unknown instruction form '${name}'`);
    return form;
  }

  /** The test of `form` for `seed` (deterministic). */
  generate(formName: string, seed: number): ConformanceTest {
    const form = this.form(formName);
    const builder = new TestBuilder(Rng.forTest(form.name, seed));
    const source = form.generate(builder);
    return builder.build(form.name, form.group, seed >>> 0, source);
  }

  /** `perForm` tests of every form (or of the forms given), seeds firstSeed, firstSeed+1, ... */
  corpus(
    perForm: number,
    firstSeed = 1,
    formNames: readonly string[] = [...this.forms.keys()],
  ): ConformanceTest[] {
    const tests: ConformanceTest[] = [];
    for (const name of formNames) {
      for (let i = 0; i < perForm; i++) tests.push(this.generate(name, firstSeed + i));
    }
    return tests;
  }
}
