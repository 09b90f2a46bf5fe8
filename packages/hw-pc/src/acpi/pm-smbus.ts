/**
 * The PIIX4 SMBus host controller (82371AB datasheet, 7.3; QEMU's hw/i2c/pm_smbus.c): a
 * 16-byte I/O block at SMBBA with a host status, control, command, address and two data
 * registers, and a 32-byte block buffer. A write of START to the control register runs the
 * transaction on the bus at once; an address nobody answers sets DEV_ERR, which is what a
 * driver probing an empty bus sees.
 */
import type { LogSink } from '../device-env.js';
import { SILENT_LOG } from '../device-env.js';

/** SMBHSTSTS: host status (write 1 to clear). */
export const SMBHSTSTS = 0x00;
/** SMBSLVSTS: slave status (not modelled: reads 0). */
export const SMBSLVSTS = 0x01;
/** SMBHSTCNT: host control (protocol, START, KILL, interrupt enable). */
export const SMBHSTCNT = 0x02;
/** SMBHSTCMD: the command byte sent after the address. */
export const SMBHSTCMD = 0x03;
/** SMBHSTADD: 7-bit slave address in bits 1-7, bit 0 = read. */
export const SMBHSTADD = 0x04;
/** SMBHSTDAT0: data byte 0 (or the block count). */
export const SMBHSTDAT0 = 0x05;
/** SMBHSTDAT1: data byte 1. */
export const SMBHSTDAT1 = 0x06;
/** SMBBLKDAT: the block buffer, one byte per access through an index reset by SMBHSTCNT reads. */
export const SMBBLKDAT = 0x07;
/** Bytes of I/O space the controller decodes. */
export const SMBUS_IO_SIZE = 16;

/** HOST_BUSY: a transaction is running. */
export const STS_HOST_BUSY = 0x01;
/** INTR: the transaction completed. */
export const STS_INTR = 0x02;
/** DEV_ERR: no device acknowledged, or an invalid command. */
export const STS_DEV_ERR = 0x04;
/** BUS_ERR: a collision. */
export const STS_BUS_ERR = 0x08;
/** FAILED: KILL stopped the transaction. */
export const STS_FAILED = 0x10;

/** INTEREN: raise the SMBus interrupt at completion (not wired here). */
export const CTL_INTREN = 0x01;
/** KILL: stop the running transaction. */
export const CTL_KILL = 0x02;
/** SMB_CMD_PROT (bits 2-4): the protocol. */
export const CTL_PROTOCOL_SHIFT = 2;
/** START: run the transaction. */
export const CTL_START = 0x40;

export const PROT_QUICK = 0;
export const PROT_BYTE = 1;
export const PROT_BYTE_DATA = 2;
export const PROT_WORD_DATA = 3;
export const PROT_BLOCK_DATA = 5;

/** A device on the SMBus (an SPD EEPROM, a sensor). Every method is optional: a missing one NAKs. */
export interface SmbusDevice {
  /** 7-bit address. */
  readonly address: number;
  quickCommand?(read: boolean): void;
  sendByte?(value: number): void;
  receiveByte?(): number;
  writeByte?(command: number, value: number): void;
  readByte?(command: number): number;
  writeWord?(command: number, value: number): void;
  readWord?(command: number): number;
  writeBlock?(command: number, data: Uint8Array): void;
  readBlock?(command: number): Uint8Array;
}

export interface PmSmbusState {
  status: number;
  control: number;
  command: number;
  address: number;
  data0: number;
  data1: number;
  blockIndex: number;
  block: number[];
}

export class PmSmbus {
  status = 0;
  control = 0;
  command = 0;
  address = 0;
  data0 = 0;
  data1 = 0;
  blockIndex = 0;
  readonly block = new Uint8Array(32);
  readonly #devices = new Map<number, SmbusDevice>();
  readonly #log: LogSink;

  constructor(options: { devices?: readonly SmbusDevice[]; log?: LogSink } = {}) {
    this.#log = options.log ?? SILENT_LOG;
    for (const dev of options.devices ?? []) this.attach(dev);
  }

  /** Put a device on the bus. */
  attach(dev: SmbusDevice): void {
    if (!Number.isInteger(dev.address) || dev.address < 0 || dev.address > 0x7f) {
      throw new Error(`SMBus addresses are 7-bit, got ${dev.address}`);
    }
    if (this.#devices.has(dev.address)) {
      throw new Error(`SMBus address 0x${dev.address.toString(16)} is already in use`);
    }
    this.#devices.set(dev.address, dev);
  }

  read(offset: number): number {
    switch (offset) {
      case SMBHSTSTS:
        return this.status;
      case SMBHSTCNT:
        this.blockIndex = 0;
        return this.control & 0x1f;
      case SMBHSTCMD:
        return this.command;
      case SMBHSTADD:
        return this.address;
      case SMBHSTDAT0:
        return this.data0;
      case SMBHSTDAT1:
        return this.data1;
      case SMBBLKDAT: {
        const value = this.block[this.blockIndex];
        this.blockIndex = (this.blockIndex + 1) & 31;
        return value;
      }
      default:
        return 0;
    }
  }

  write(offset: number, value: number): void {
    const byte = value & 0xff;
    switch (offset) {
      case SMBHSTSTS:
        this.status &= ~byte;
        this.blockIndex = 0;
        break;
      case SMBHSTCNT:
        this.control = byte;
        if (byte & CTL_KILL) {
          this.status = (this.status & ~STS_HOST_BUSY) | STS_FAILED;
        } else if (byte & CTL_START) {
          this.#transaction();
        }
        break;
      case SMBHSTCMD:
        this.command = byte;
        break;
      case SMBHSTADD:
        this.address = byte;
        break;
      case SMBHSTDAT0:
        this.data0 = byte;
        break;
      case SMBHSTDAT1:
        this.data1 = byte;
        break;
      case SMBBLKDAT:
        this.block[this.blockIndex] = byte;
        this.blockIndex = (this.blockIndex + 1) & 31;
        break;
    }
  }

  /** Run the transaction the registers describe; done or DEV_ERR. */
  #transaction(): void {
    // A transaction does not start while an error from the last one is uncleared.
    if (this.status & (STS_DEV_ERR | STS_BUS_ERR | STS_FAILED)) {
      this.status |= STS_DEV_ERR;
      return;
    }
    const protocol = (this.control >> CTL_PROTOCOL_SHIFT) & 7;
    const read = (this.address & 1) !== 0;
    const dev = this.#devices.get(this.address >> 1);
    let done = false;
    try {
      done = dev !== undefined && this.#run(dev, protocol, read);
    } catch (e) {
      // A device model fault must not reach the guest as a host exception.
      if (this.#log.enabled('guest_errors')) {
        this.#log.write(
          'guest_errors',
          `pm-smbus: device 0x${(this.address >> 1).toString(16)} failed: ${String(e)}\n`,
        );
      }
      done = false;
    }
    this.status |= done ? STS_INTR : STS_DEV_ERR;
  }

  #run(dev: SmbusDevice, protocol: number, read: boolean): boolean {
    switch (protocol) {
      case PROT_QUICK:
        if (!dev.quickCommand) return false;
        dev.quickCommand(read);
        return true;
      case PROT_BYTE:
        if (read) {
          if (!dev.receiveByte) return false;
          this.data0 = dev.receiveByte() & 0xff;
        } else {
          if (!dev.sendByte) return false;
          dev.sendByte(this.command);
        }
        return true;
      case PROT_BYTE_DATA:
        if (read) {
          if (!dev.readByte) return false;
          this.data0 = dev.readByte(this.command) & 0xff;
        } else {
          if (!dev.writeByte) return false;
          dev.writeByte(this.command, this.data0);
        }
        return true;
      case PROT_WORD_DATA:
        if (read) {
          if (!dev.readWord) return false;
          const word = dev.readWord(this.command);
          this.data0 = word & 0xff;
          this.data1 = (word >> 8) & 0xff;
        } else {
          if (!dev.writeWord) return false;
          dev.writeWord(this.command, this.data0 | (this.data1 << 8));
        }
        return true;
      case PROT_BLOCK_DATA:
        if (read) {
          if (!dev.readBlock) return false;
          const data = dev.readBlock(this.command).subarray(0, 32);
          this.block.fill(0).set(data);
          this.data0 = data.length;
        } else {
          if (!dev.writeBlock) return false;
          const count = Math.min(32, this.data0);
          dev.writeBlock(this.command, this.block.slice(0, count));
        }
        this.blockIndex = 0;
        return true;
      default:
        return false;
    }
  }

  reset(): void {
    this.status = 0;
    this.control = 0;
    this.command = 0;
    this.address = 0;
    this.data0 = 0;
    this.data1 = 0;
    this.blockIndex = 0;
    this.block.fill(0);
  }

  state(): PmSmbusState {
    return {
      status: this.status,
      control: this.control,
      command: this.command,
      address: this.address,
      data0: this.data0,
      data1: this.data1,
      blockIndex: this.blockIndex,
      block: [...this.block],
    };
  }

  loadState(state: PmSmbusState): void {
    this.status = state.status & 0xff;
    this.control = state.control & 0xff;
    this.command = state.command & 0xff;
    this.address = state.address & 0xff;
    this.data0 = state.data0 & 0xff;
    this.data1 = state.data1 & 0xff;
    this.blockIndex = state.blockIndex & 31;
    this.block.fill(0).set(state.block.slice(0, 32));
  }
}
