/**
 * The APM control and status ports (QEMU's hw/isa/apm.c), 0xb2 and 0xb3 on a PC: a byte
 * the BIOS and OS exchange through SMM. Writing the control port (APMC) tells the power
 * management function, which turns the ACPI_ENABLE / ACPI_DISABLE commands of the FADT's
 * SMI_CMD into SCI_EN changes and anything else into an SMI.
 */

/** APMC: advanced power management control (0xb2). */
export const APM_CNT = 0;
/** APMS: advanced power management status (0xb3). */
export const APM_STS = 1;
/** The I/O ports of a PC. */
export const APM_CNT_IOPORT = 0xb2;
export const APM_STS_IOPORT = 0xb3;

/** The state of the two ports as plain data. */
export interface ApmState {
  control: number;
  status: number;
}

export class Apm {
  control = 0;
  status = 0;

  /** @param onControl called with every byte written to APMC (QEMU's apm_ctrl_changed). */
  constructor(private readonly onControl: (value: number) => void = () => {}) {}

  read(offset: number): number {
    return offset === APM_CNT ? this.control : offset === APM_STS ? this.status : 0;
  }

  write(offset: number, value: number): void {
    const byte = value & 0xff;
    if (offset === APM_CNT) {
      this.control = byte;
      this.onControl(byte);
    } else if (offset === APM_STS) {
      this.status = byte;
    }
  }

  state(): ApmState {
    return { control: this.control, status: this.status };
  }

  loadState(state: ApmState): void {
    this.control = state.control & 0xff;
    this.status = state.status & 0xff;
  }
}
