/**
 * Intel 8042 keyboard controller ports, commands and bits (IBM PC/AT
 * Technical Reference; the same names Linux's i8042.h and QEMU's pckbd.c use).
 * Offsets are from port 0x60: the data port is 0x60, the status/command port 0x64.
 */

/** Data port (offset 0, port 0x60): read the output buffer, write to the keyboard or a command's parameter. */
export const I8042_DATA = 0;
/** Status port (offset 4, port 0x64, read). */
export const I8042_STATUS = 4;
/** Command port (offset 4, port 0x64, write). */
export const I8042_COMMAND = 4;

/** Status: Output Buffer Full: a byte waits at port 0x60. */
export const I8042_STR_OBF = 0x01;
/** Status: Input Buffer Full: the controller has not taken the last write yet (never, here). */
export const I8042_STR_IBF = 0x02;
/** Status: System flag: the self-test passed (mirrors command byte bit 2). */
export const I8042_STR_SYS = 0x04;
/** Status: the last write went to the command port (0x64) rather than the data port. */
export const I8042_STR_CMDDAT = 0x08;
/** Status: keyboard not inhibited (the keylock switch is open). */
export const I8042_STR_KEYLOCK = 0x10;
/** Status: the byte in the output buffer came from the auxiliary (mouse) port. */
export const I8042_STR_AUXDATA = 0x20;
/** Status: receive or transmit timeout. */
export const I8042_STR_TIMEOUT = 0x40;
/** Status: parity error on the serial link. */
export const I8042_STR_PARITY = 0x80;

/** Command byte: interrupt (IRQ 1) when keyboard data is in the output buffer. */
export const I8042_CTR_KBDINT = 0x01;
/** Command byte: interrupt (IRQ 12) when mouse data is in the output buffer. */
export const I8042_CTR_AUXINT = 0x02;
/** Command byte: system flag (copied to status bit 2). */
export const I8042_CTR_SYS = 0x04;
/** Command byte: ignore the keylock switch. */
export const I8042_CTR_IGNKEYLOCK = 0x08;
/** Command byte: keyboard interface disabled (its clock held low). */
export const I8042_CTR_KBDDIS = 0x10;
/** Command byte: mouse interface disabled. */
export const I8042_CTR_AUXDIS = 0x20;
/** Command byte: translate keyboard scancodes from set 2 to set 1. */
export const I8042_CTR_XLATE = 0x40;

/** Controller command: read internal RAM byte 0 (the command byte); 0x21-0x3F read bytes 1-31. */
export const I8042_CMD_CTL_RCTR = 0x20;
/** Controller command: write the command byte from the next data byte; 0x61-0x7F write RAM bytes 1-31. */
export const I8042_CMD_CTL_WCTR = 0x60;
/** Controller command: is a password installed? (0xF1: no). */
export const I8042_CMD_PASSWORD_CHECK = 0xa4;
/** Controller command: disable the mouse interface. */
export const I8042_CMD_AUX_DISABLE = 0xa7;
/** Controller command: enable the mouse interface. */
export const I8042_CMD_AUX_ENABLE = 0xa8;
/** Controller command: test the mouse interface (0x00: no error). */
export const I8042_CMD_AUX_TEST = 0xa9;
/** Controller command: self-test (0x55: passed). */
export const I8042_CMD_CTL_TEST = 0xaa;
/** Controller command: test the keyboard interface (0x00: no error). */
export const I8042_CMD_KBD_TEST = 0xab;
/** Controller command: disable the keyboard interface. */
export const I8042_CMD_KBD_DISABLE = 0xad;
/** Controller command: enable the keyboard interface. */
export const I8042_CMD_KBD_ENABLE = 0xae;
/** Controller command: read the input port. */
export const I8042_CMD_READ_INPUT = 0xc0;
/** Controller command: read the output port. */
export const I8042_CMD_READ_OUTPUT = 0xd0;
/** Controller command: write the output port from the next data byte (A20, CPU reset). */
export const I8042_CMD_WRITE_OUTPUT = 0xd1;
/** Controller command: put the next data byte in the output buffer as keyboard data. */
export const I8042_CMD_KBD_LOOP = 0xd2;
/** Controller command: put the next data byte in the output buffer as mouse data. */
export const I8042_CMD_AUX_LOOP = 0xd3;
/** Controller command: send the next data byte to the mouse. */
export const I8042_CMD_AUX_SEND = 0xd4;
/** Controller command: A20 off (HP Vectra style, kept by many chipsets). */
export const I8042_CMD_A20_DISABLE = 0xdd;
/** Controller command: A20 on. */
export const I8042_CMD_A20_ENABLE = 0xdf;
/** Controller commands 0xF0-0xFF: pulse output port bits 0-3 low where the command's bit is 0. */
export const I8042_CMD_PULSE_FIRST = 0xf0;
/** Controller command: pulse output port bit 0: reset the CPU. */
export const I8042_CMD_PULSE_RESET = 0xfe;

/** Self-test passed. */
export const I8042_RET_CTL_TEST = 0x55;
/** Interface test passed. */
export const I8042_RET_INTERFACE_OK = 0x00;
/** No password installed. */
export const I8042_RET_NO_PASSWORD = 0xf1;

/** Output port: CPU reset line (0 holds the CPU in reset). */
export const I8042_OUT_RESET = 0x01;
/** Output port: A20 gate. */
export const I8042_OUT_A20 = 0x02;
/** Output port: keyboard output buffer full (IRQ 1 line). */
export const I8042_OUT_OBF = 0x10;
/** Output port: mouse output buffer full (IRQ 12 line). */
export const I8042_OUT_AUX_OBF = 0x20;
/** Output port: keyboard clock and data lines, normally high. */
export const I8042_OUT_KBD_LINES = 0xc0;
/** Output port bits 2-3, unused, read as one (QEMU's KBD_OUT_ONES includes them and bits 6-7). */
export const I8042_OUT_UNUSED = 0x0c;

/** Input port: keyboard not inhibited. */
export const I8042_IN_KEYBOARD_ENABLED = 0x80;

/** Bytes of controller RAM reached by commands 0x20-0x3F / 0x60-0x7F; byte 0 is the command byte. */
export const I8042_RAM_SIZE = 32;
