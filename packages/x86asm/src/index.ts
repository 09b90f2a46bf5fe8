export { type AssembleOptions, assemble, type ListingLine, type Program } from './assembler.js';
export { AssemblyError, type Diagnostic } from './errors.js';
export { asm, asm16 } from './template.js';
