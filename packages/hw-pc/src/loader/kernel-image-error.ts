/**
 * A `-kernel`, `-initrd` or module image the loaders cannot use, or a machine too small for
 * it: a host-side mistake, reported to the user as one line. The message says which check
 * failed ("no Linux boot signature 'HdrS' at offset 0x202", "truncated: ..."); the machine
 * adds the option and file name in front ("tsemu: -kernel FILE: ...").
 */
export class KernelImageError extends Error {
  override readonly name = 'KernelImageError';
}
