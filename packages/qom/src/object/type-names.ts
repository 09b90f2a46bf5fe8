/** Names of qom's own object types (kept apart so any module can import them cheaply). */

/** The root of every class hierarchy (QEMU's TYPE_OBJECT). */
export const TYPE_OBJECT = 'object';
/** The root of interface types (QEMU's TYPE_INTERFACE). */
export const TYPE_INTERFACE = 'interface';
/** A plain object whose only job is to hold children (QEMU's container). */
export const TYPE_CONTAINER = 'container';
