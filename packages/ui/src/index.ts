// @tsemu/ui: display surfaces, consoles and display backends (QEMU's ui/).
// Node-only helpers (zlib, files, the process's terminal) are in '@tsemu/ui/node'.
export * from './backends/curses-display.js';
export * from './backends/display-backend.js';
export * from './backends/none-display.js';
export * from './backends/terminal/ansi-text-renderer.js';
export * from './backends/terminal/terminal-keys.js';
export * from './backends/terminal/vga-ansi.js';
export * from './console.js';
export * from './cp437.js';
export { adler32, crc32 } from './png/checksums.js';
export { type DecodedPng, decodePng, type ZlibInflate } from './png/png-decoder.js';
export {
  encodePng,
  PNG_COLOR_RGB,
  PNG_COLOR_RGBA,
  PNG_SIGNATURE,
  type PngEncodeOptions,
  type RgbaImage,
  type ZlibDeflate,
} from './png/png-encoder.js';
export { zlibStored } from './png/zlib-stored.js';
export * from './refresh-timer.js';
export * from './screendump.js';
export * from './surface.js';
export * from './text-grid.js';
