/**
 * split-irq: a device with one input line `in[0]` that repeats every level to
 * `num-lines` output lines `out[0..n-1]` (QEMU's TYPE_SPLIT_IRQ). Use it to
 * drive several inputs from one output line; outside a machine, `splitIrq()`
 * does the same without a device.
 */
import { err } from '../errors.js';
import { prop } from '../property/kinds.js';
import { defineDevice } from './define.js';
import { Device } from './device.js';
import type { OutputLine } from './irq.js';
import { TYPE_SPLIT_IRQ } from './type-names.js';

/** QEMU's MAX_SPLIT_LINES. */
export const MAX_SPLIT_LINES = 16;

const splitIrqProps = {
  'num-lines': prop.uint16({
    description: 'number of output lines (1 to 16)',
    max: MAX_SPLIT_LINES,
  }),
};

export class SplitIrq extends Device<typeof splitIrqProps> {
  readonly input = this.inputLine('in', (level) => {
    for (const output of this.#outputs) {
      output.set(level);
    }
  });
  #outputs: OutputLine[] = [];

  /** The output lines, once realized. */
  get outputs(): readonly OutputLine[] {
    return this.#outputs;
  }

  protected override onRealize() {
    const count = this.props['num-lines'];
    if (count < 1) {
      return err(`IRQ splitter number of lines ${count} is not between 1 and ${MAX_SPLIT_LINES}`);
    }
    const existing = this.gpioOutputs().get('out')?.length ?? 0;
    if (existing === 0) {
      this.#outputs = this.outputLines('out', count);
    } else if (existing !== count) {
      return err(`IRQ splitter was built with ${existing} lines and cannot change to ${count}`);
    }
  }
}

export const splitIrqTypeInfo = defineDevice({
  name: TYPE_SPLIT_IRQ,
  instance: SplitIrq,
  props: splitIrqProps,
  desc: 'fan one IRQ line out to several',
  categories: ['misc'],
  userCreatable: false,
});
