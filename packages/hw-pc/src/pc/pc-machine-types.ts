/**
 * The machine types `-machine` accepts (QEMU's DEFINE_I440FX_MACHINE): one versioned
 * i440FX type, aliased `pc` and chosen when no `-machine` is given. tsemu has only one
 * version of the pc machine so far; the name says which QEMU machine it matches.
 */
import { defineMachine, Machine } from '@tsemu/qom';

export const PC_MACHINE_NAME = 'pc-i440fx-10.0';

export const PC_I440FX_MACHINE = defineMachine({
  name: PC_MACHINE_NAME,
  alias: 'pc',
  isDefault: true,
  desc: 'Standard PC (i440FX + PIIX, 1996)',
  family: 'pc_piix',
  instance: Machine,
});

export const PC_MACHINE_TYPES = [PC_I440FX_MACHINE] as const;
export const PC_MACHINE_DEFAULT = PC_I440FX_MACHINE;
