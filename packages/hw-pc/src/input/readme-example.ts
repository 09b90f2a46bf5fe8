import { IrqRecorder } from '../testing/irq-recorder.js';
import {
  I8042,
  I8042_CMD_AUX_SEND,
  I8042_CMD_CTL_TEST,
  I8042_CMD_CTL_WCTR,
  I8042_CMD_WRITE_OUTPUT,
  I8042_COMMAND,
  I8042_CTR_AUXINT,
  I8042_CTR_KBDINT,
  I8042_CTR_XLATE,
  I8042_DATA,
  I8042_STATUS,
  I8042_STR_AUXDATA,
  I8042_STR_OBF,
  MOUSE_BUTTON_LEFT,
} from './index.js';

export function main(print: (line: string) => void): void {
  const irq1 = new IrqRecorder();
  const irq12 = new IrqRecorder();
  const a20 = new IrqRecorder();
  const kbc = new I8042({
    kbdIrq: irq1,
    mouseIrq: irq12,
    a20,
    resetRequest: () => print('reset!'),
  });

  const drain = () => {
    const bytes: string[] = [];
    while (kbc.read(I8042_STATUS) & I8042_STR_OBF) {
      const aux = (kbc.read(I8042_STATUS) & I8042_STR_AUXDATA) !== 0;
      bytes.push(`${aux ? 'aux:' : ''}${kbc.read(I8042_DATA).toString(16).padStart(2, '0')}`);
    }
    return bytes.join(' ');
  };

  kbc.write(I8042_COMMAND, I8042_CMD_CTL_TEST);
  print(`self-test: ${drain()}`);
  kbc.write(I8042_COMMAND, I8042_CMD_CTL_WCTR);
  kbc.write(I8042_DATA, I8042_CTR_KBDINT | I8042_CTR_AUXINT | I8042_CTR_XLATE);

  kbc.write(I8042_DATA, 0xff); // keyboard reset
  print(`keyboard reset: ${drain()}`);

  // A display presses keys by QKeyCode name; the guest reads set 1 codes (translated).
  for (const key of ['l', 's', 'ret'] as const) {
    kbc.keyboard.keyDown(key);
    kbc.keyboard.keyUp(key);
  }
  print(`IRQ1 raised: ${irq1.level}; "ls" + Enter: ${drain()}`);
  kbc.keyboard.keyDown('ctrl');
  kbc.keyboard.keyDown('pause');
  print(`Ctrl+Pause (Break): ${drain()}`);

  kbc.write(I8042_COMMAND, I8042_CMD_AUX_SEND);
  kbc.write(I8042_DATA, 0xf4); // enable mouse reporting
  print(`mouse enable: ${drain()}`);
  kbc.mouse.mouseEvent(10, -2, 0, MOUSE_BUTTON_LEFT);
  print(`IRQ12 raised: ${irq12.level}; packet: ${drain()}`);

  kbc.write(I8042_COMMAND, I8042_CMD_WRITE_OUTPUT);
  kbc.write(I8042_DATA, 0xdd); // A20 off, CPU reset line high
  print(`A20 after writing 0xdd to the output port: ${a20.level}`);
  kbc.write(I8042_COMMAND, 0xfe); // pulse the reset line
}
