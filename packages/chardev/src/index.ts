export type { CharBackend, CharEvent, CharHandlers } from './char-backend.js';
export { Chardev } from './chardev.js';
export { ChardevError } from './errors.js';
export { FileChardev, type FileChardevOptions } from './file.js';
export { MemoryChardev } from './memory.js';
export { CharMux, type CharMuxOptions, MUX_ESCAPE_CHAR, MUX_INPUT_HOLD } from './mux.js';
export { NullChardev } from './null.js';
export { OutputBatcher } from './output-batcher.js';
export { PipeChardev } from './pipe.js';
export { type ChardevHost, ChardevRegistry, openChardev } from './registry.js';
export {
  describeSocketAddress,
  type SocketAddress,
  SocketChardev,
  type SocketChardevOptions,
} from './socket.js';
export {
  type ChardevBackendOptions,
  type ChardevOptions,
  type CompatChardevSpec,
  parseChardevOptions,
  parseCompatChardev,
} from './spec.js';
export {
  StdioChardev,
  type StdioChardevOptions,
  type StdioInput,
  type StdioOutput,
} from './stdio.js';
