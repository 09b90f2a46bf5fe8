export { ByteFifo } from './byte-fifo.js';
export {
  type CharBackend,
  type CharEvent,
  type CharHandlers,
  NULL_CHAR_BACKEND,
} from './char-backend.js';
export { CharRecorder } from './char-recorder.js';
export { Serial, type SerialEnv, type SerialState } from './serial.js';
export { ISA_SERIAL, IsaSerial, type SerialSavedState } from './serial-qdev.js';
export * from './serial-registers.js';
