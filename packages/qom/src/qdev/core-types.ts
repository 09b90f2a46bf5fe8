/** qdev's own types, registered in every registry by default. */
import type { TypeInfo } from '../object/type-info.js';
import { busTypeInfo } from './bus.js';
import { deviceTypeInfo } from './device.js';
import { machineTypeInfo } from './machine.js';
import { splitIrqTypeInfo } from './split-irq.js';

// biome-ignore lint/suspicious/noExplicitAny: a list of assorted TypeInfos.
export function qdevCoreTypes(): TypeInfo<any, any>[] {
  return [deviceTypeInfo, busTypeInfo, machineTypeInfo, splitIrqTypeInfo];
}
