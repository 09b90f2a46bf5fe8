// Interrupt messages between IOAPICs and local APICs (the system bus of a P6/Pentium 4).

/** Delivery mode: the vector goes to every destination's IRR. */
export const DELIVERY_FIXED = 0;
/** Delivery mode: the vector goes to the destination with the lowest arbitration priority. */
export const DELIVERY_LOWEST_PRIORITY = 1;
/** Delivery mode: system-management interrupt (the vector is ignored). */
export const DELIVERY_SMI = 2;
/** Delivery mode: non-maskable interrupt (the vector is ignored). */
export const DELIVERY_NMI = 4;
/** Delivery mode: INIT (the vector is ignored). */
export const DELIVERY_INIT = 5;
/** Delivery mode: start-up IPI; the vector is the start page (ICR only). */
export const DELIVERY_STARTUP = 6;
/** Delivery mode: external interrupt: the CPU fetches the vector from the 8259 by INTA. */
export const DELIVERY_EXTINT = 7;

/** Destination mode: the destination is an APIC ID. */
export const DEST_PHYSICAL = 0;
/** Destination mode: the destination is a logical mask matched against LDR/DFR. */
export const DEST_LOGICAL = 1;
/** Physical destination that every APIC accepts. */
export const PHYSICAL_BROADCAST = 0xff;

/** Trigger mode: edge. */
export const TRIGGER_EDGE = 0;
/** Trigger mode: level (the vector sets TMR, and its EOI is broadcast to the IOAPICs). */
export const TRIGGER_LEVEL = 1;

/** One interrupt message on the APIC bus. */
export interface ApicMessage {
  /** 8-bit destination: an APIC ID (physical) or a logical mask. */
  destination: number;
  /** DEST_PHYSICAL or DEST_LOGICAL. */
  destinationMode: number;
  /** One of the DELIVERY_* modes. */
  deliveryMode: number;
  /** 8-bit vector (fixed, lowest priority, start-up). */
  vector: number;
  /** TRIGGER_EDGE or TRIGGER_LEVEL. */
  triggerMode: number;
}

/** What the bus needs of a local APIC to route a message to it. */
export interface ApicBusTarget {
  /** The APIC ID register. */
  readonly apicId: number;
  /** False while the APIC is disabled in IA32_APIC_BASE: it hears no message. */
  readonly hardwareEnabled: boolean;
  /** Arbitration priority (0-255), for lowest-priority delivery. */
  arbitrationPriority(): number;
  /** Whether a logical destination names this APIC (LDR and DFR). */
  matchesLogical(destination: number): boolean;
  /** Receive one message whose destination named this APIC. */
  receive(deliveryMode: number, vector: number, triggerMode: number): void;
}

/** Who hears an EOI for a level-triggered vector (the IOAPICs, to clear their remote IRR). */
export interface EoiListener {
  eoiBroadcast(vector: number): void;
}

/**
 * The bus that carries interrupt messages from IOAPICs (and IPIs from local APICs) to local
 * APICs, and EOI broadcasts back to the IOAPICs. One per machine.
 *
 * @example
 * const bus = new ApicBus();
 * const apic = new LocalApic({ bus, time, id: 0, bsp: true });
 * const ioapic = new IoApic({ bus });
 */
export class ApicBus {
  private readonly apics: ApicBusTarget[] = [];
  private readonly eoiListeners: EoiListener[] = [];

  /** Add a local APIC to the bus. */
  attachApic(apic: ApicBusTarget): void {
    if (this.apics.includes(apic)) throw new Error('ApicBus: this APIC is already attached');
    this.apics.push(apic);
  }

  /** Add an IOAPIC (or any listener) to the EOI broadcast. */
  addEoiListener(listener: EoiListener): void {
    if (this.eoiListeners.includes(listener)) {
      throw new Error('ApicBus: this EOI listener is already attached');
    }
    this.eoiListeners.push(listener);
  }

  /** The local APICs on the bus, in attachment order. */
  get localApics(): readonly ApicBusTarget[] {
    return this.apics;
  }

  /** Deliver a message to every APIC its destination names. */
  deliver(message: ApicMessage): void {
    this.deliverTo(this.destinations(message.destination, message.destinationMode), message);
  }

  /** Deliver a message to an explicit set of APICs (ICR shorthands use this). */
  deliverTo(targets: readonly ApicBusTarget[], message: ApicMessage): void {
    const mode = message.deliveryMode & 7;
    const vector = message.vector & 0xff;
    const trigger = message.triggerMode & 1;
    if (mode === DELIVERY_LOWEST_PRIORITY) {
      let chosen: ApicBusTarget | undefined;
      for (const apic of targets) {
        if (!chosen || apic.arbitrationPriority() < chosen.arbitrationPriority()) chosen = apic;
      }
      chosen?.receive(DELIVERY_FIXED, vector, trigger);
      return;
    }
    for (const apic of targets) apic.receive(mode, vector, trigger);
  }

  /** The enabled APICs a destination names. */
  destinations(destination: number, destinationMode: number): ApicBusTarget[] {
    destination &= 0xff;
    const result: ApicBusTarget[] = [];
    for (const apic of this.apics) {
      if (!apic.hardwareEnabled) continue;
      if ((destinationMode & 1) === DEST_PHYSICAL) {
        if (destination === PHYSICAL_BROADCAST || destination === apic.apicId) result.push(apic);
      } else if (apic.matchesLogical(destination)) {
        result.push(apic);
      }
    }
    return result;
  }

  /** A local APIC finished a level-triggered vector: tell the IOAPICs. */
  broadcastEoi(vector: number): void {
    for (const listener of this.eoiListeners) listener.eoiBroadcast(vector & 0xff);
  }
}
