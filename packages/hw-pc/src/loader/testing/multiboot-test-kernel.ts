/**
 * A Multiboot kernel written for tsemu's tests, assembled with @tsemu/x86asm. It prints
 * through the first serial port (polling the line status register), shows what the loader
 * told it (boot loader name, memory sizes, command line, the first module's command line
 * and text), and ends the run through isa-debug-exit with the status its command line asks
 * for: with `exit=5` it writes 5 to the port, which QEMU and tsemu turn into exit status 11.
 *
 * It exists as an ELF executable (loaded by program headers) and as a flat image with the
 * a.out kludge fields, so that both of the loader's paths run real code.
 */
import { assemble } from '@tsemu/x86asm';

/** The first line it prints. */
export const MULTIBOOT_TEST_KERNEL_BANNER = 'tsemu Multiboot test kernel';
/** The value it writes to the exit port when EAX did not hold the Multiboot magic. */
export const MULTIBOOT_TEST_KERNEL_BAD_MAGIC = 0x7e;

export interface MultibootTestKernelOptions {
  /** 'elf' (default): an ELF32 executable; 'aout': a flat image with the a.out kludge. */
  format?: 'elf' | 'aout';
  /** Where it loads and runs; default 1 MiB. */
  loadAddress?: number;
  /**
   * isa-debug-exit's port; default 0xf4, as with `-device isa-debug-exit,iobase=0xf4,iosize=4`.
   * (QEMU's own default is 0x501.)
   */
  exitPort?: number;
  /** The UART's base port; default 0x3f8 (COM1). */
  serialPort?: number;
}

/** Bytes before the code in the ELF file: the ELF header (52) and one program header (32). */
const ELF_HEADERS_SIZE = 0x60;
/** The stack (part of the bss, after the loaded bytes). */
const STACK_SIZE = 0x1000;

/** The assembly source, for reading (and for `-d in_asm` comparisons). */
export function multibootTestKernelSource(options: MultibootTestKernelOptions = {}): string {
  const format = options.format ?? 'elf';
  const loadAddress = options.loadAddress ?? 0x100000;
  const org = format === 'elf' ? loadAddress + ELF_HEADERS_SIZE : loadAddress;
  const flags = format === 'elf' ? 0x00000003 : 0x00010003;
  // The a.out kludge fields follow the checksum only when flag 16 asks for them.
  const addressFields =
    format === 'aout'
      ? `
  dd mb_header          ; header_addr: where this header lands
  dd ${loadAddress}     ; load_addr: the file's first byte goes here
  dd load_end           ; load_end_addr
  dd bss_end            ; bss_end_addr: the stack is zeroed bss
  dd start              ; entry_addr`
      : '';
  return `
bits 32
org ${org}

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ ${flags}              ; page-aligned modules, memory info${format === 'aout' ? ', a.out kludge' : ''}
BOOT_MAGIC equ 0x2BADB002
COM1 equ ${options.serialPort ?? 0x3f8}
LSR equ COM1 + 5
LSR_THRE equ 0x20                   ; transmitter holding register empty
EXIT_PORT equ ${options.exitPort ?? 0xf4}
INFO_FLAGS equ 0
INFO_MEM_LOWER equ 4
INFO_MEM_UPPER equ 8
INFO_CMDLINE equ 16
INFO_MODS_COUNT equ 20
INFO_MODS_ADDR equ 24
INFO_LOADER_NAME equ 64

mb_header:
  dd MB_MAGIC
  dd MB_FLAGS
  dd -(MB_MAGIC + MB_FLAGS)${addressFields}

start:
  cli
  cld
  mov esp, stack_top
  mov [boot_magic], eax
  mov [boot_info], ebx
  mov esi, msg_banner
  call puts
  call newline
  cmp dword [boot_magic], BOOT_MAGIC
  je .magic_ok
  mov esi, msg_bad_magic
  call puts
  call newline
  mov eax, ${MULTIBOOT_TEST_KERNEL_BAD_MAGIC}
  jmp exit

.magic_ok:
  mov ebx, [boot_info]
  test dword [ebx + INFO_FLAGS], 1 << 9
  jz .no_loader_name
  mov esi, msg_loader
  call puts
  mov esi, [ebx + INFO_LOADER_NAME]
  call puts
  call newline
.no_loader_name:
  test dword [ebx + INFO_FLAGS], 1 << 0
  jz .no_memory
  mov esi, msg_mem_lower
  call puts
  mov eax, [ebx + INFO_MEM_LOWER]
  call put_decimal
  mov esi, msg_mem_upper
  call puts
  mov eax, [ebx + INFO_MEM_UPPER]
  call put_decimal
  mov esi, msg_kib
  call puts
  call newline
.no_memory:
  test dword [ebx + INFO_FLAGS], 1 << 2
  jz .no_cmdline
  mov esi, msg_cmdline
  call puts
  mov esi, [ebx + INFO_CMDLINE]
  call puts
  call newline
.no_cmdline:
  test dword [ebx + INFO_FLAGS], 1 << 3
  jz .no_modules
  mov esi, msg_modules
  call puts
  mov eax, [ebx + INFO_MODS_COUNT]
  call put_decimal
  call newline
  cmp dword [ebx + INFO_MODS_COUNT], 0
  je .no_modules
  mov edi, [ebx + INFO_MODS_ADDR]
  mov esi, msg_module_line
  call puts
  mov esi, [edi + 8]
  call puts
  call newline
  mov esi, msg_module_text
  call puts
  mov esi, [edi]
  mov ecx, [edi + 4]
  call put_text
  call newline
.no_modules:
  test dword [ebx + INFO_FLAGS], 1 << 2
  jz .no_exit
  mov esi, [ebx + INFO_CMDLINE]
  call find_exit
  jc .no_exit
  push eax
  mov esi, msg_exit
  call puts
  call put_decimal
  call newline
  pop eax
  jmp exit
.no_exit:
  mov esi, msg_halt
  call puts
  call newline
  jmp halt

; Write AL to isa-debug-exit, which ends the run with status (AL << 1) | 1.
exit:
  mov dx, EXIT_PORT
  out dx, al
halt:
  cli
  hlt
  jmp halt

; Send AL to the UART once it can take a byte. Preserves every register.
putc:
  push edx
  push eax
  mov dx, LSR
.wait:
  in al, dx
  test al, LSR_THRE
  jz .wait
  pop eax
  mov dx, COM1
  out dx, al
  pop edx
  ret

; Print the NUL-terminated string at ESI. Preserves every register.
puts:
  push eax
  push esi
.next:
  lodsb
  test al, al
  jz .done
  call putc
  jmp .next
.done:
  pop esi
  pop eax
  ret

newline:
  push eax
  mov al, 13
  call putc
  mov al, 10
  call putc
  pop eax
  ret

; Print EAX in decimal. Preserves every register.
put_decimal:
  pushad
  mov ebx, 10
  xor ecx, ecx
.divide:
  xor edx, edx
  div ebx
  push edx
  inc ecx
  test eax, eax
  jnz .divide
.print:
  pop eax
  add al, '0'
  call putc
  loop .print
  popad
  ret

; Print the text from ESI up to ECX (exclusive), at most 256 bytes, stopping at a NUL;
; a newline in the text is sent as CR LF.
put_text:
  pushad
  mov edx, 256
.next:
  cmp esi, ecx
  jae .done
  dec edx
  js .done
  lodsb
  test al, al
  jz .done
  cmp al, 10
  jne .plain
  call newline
  jmp .next
.plain:
  call putc
  jmp .next
.done:
  popad
  ret

; Find "exit=N" (a word of its own) in the string at ESI. Returns CF clear and EAX = N,
; or CF set when there is none.
find_exit:
  push ebx
  push ecx
  push esi
  mov bl, ' '                        ; the character before the current one
.scan:
  mov al, [esi]
  test al, al
  jz .not_found
  cmp bl, ' '
  jne .advance
  cmp dword [esi], 'exit'
  jne .advance
  cmp byte [esi + 4], '='
  jne .advance
  add esi, 5
  xor eax, eax
  movzx ecx, byte [esi]
  sub ecx, '0'
  cmp ecx, 9
  ja .not_found
.digit:
  imul eax, eax, 10
  add eax, ecx
  inc esi
  movzx ecx, byte [esi]
  sub ecx, '0'
  cmp ecx, 9
  jbe .digit
  clc
  jmp .out
.advance:
  mov bl, al
  inc esi
  jmp .scan
.not_found:
  stc
.out:
  pop esi
  pop ecx
  pop ebx
  ret

msg_banner: db '${MULTIBOOT_TEST_KERNEL_BANNER}', 0
msg_bad_magic: db 'bad boot magic in EAX', 0
msg_loader: db 'loader: ', 0
msg_mem_lower: db 'memory: lower ', 0
msg_mem_upper: db ' KiB, upper ', 0
msg_kib: db ' KiB', 0
msg_cmdline: db 'cmdline: ', 0
msg_modules: db 'modules: ', 0
msg_module_line: db 'module 0: ', 0
msg_module_text: db 'module 0 text: ', 0
msg_exit: db 'exit: ', 0
msg_halt: db 'no exit= on the command line: halting', 0
align 4
boot_magic: dd 0
boot_info: dd 0
load_end:

stack_top equ load_end + ${STACK_SIZE}
bss_end equ stack_top
`;
}

/** Build the kernel: an ELF32 executable, or a flat image with the a.out kludge fields. */
export function buildMultibootTestKernel(options: MultibootTestKernelOptions = {}): Uint8Array {
  const format = options.format ?? 'elf';
  const program = assemble(multibootTestKernelSource(options), {
    name: 'multiboot-test-kernel',
  });
  if (format === 'aout') return program.bytes;
  const loadAddress = options.loadAddress ?? 0x100000;
  return elfExecutable({
    loadAddress,
    headerRoom: ELF_HEADERS_SIZE,
    code: program.bytes,
    bssSize: STACK_SIZE,
    entry: program.symbol('start'),
  });
}

/**
 * A minimal ELF32 i386 executable with one read/write/execute PT_LOAD segment that starts
 * at file offset 0 (so the ELF headers load too, at `loadAddress`) and holds the code at
 * `headerRoom`, followed by `bssSize` zeroed bytes.
 */
function elfExecutable(p: {
  loadAddress: number;
  headerRoom: number;
  code: Uint8Array;
  bssSize: number;
  entry: number;
}): Uint8Array {
  const file = new Uint8Array(p.headerRoom + p.code.length);
  const view = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0); // ELF, 32-bit, little-endian, version 1
  view.setUint16(16, 2, true); // e_type: ET_EXEC
  view.setUint16(18, 3, true); // e_machine: EM_386
  view.setUint32(20, 1, true); // e_version
  view.setUint32(24, p.entry, true); // e_entry
  view.setUint32(28, 52, true); // e_phoff: right after this header
  view.setUint32(32, 0, true); // e_shoff: no section headers
  view.setUint16(40, 52, true); // e_ehsize
  view.setUint16(42, 32, true); // e_phentsize
  view.setUint16(44, 1, true); // e_phnum
  view.setUint16(46, 40, true); // e_shentsize
  const ph = 52;
  view.setUint32(ph, 1, true); // p_type: PT_LOAD
  view.setUint32(ph + 4, 0, true); // p_offset
  view.setUint32(ph + 8, p.loadAddress, true); // p_vaddr
  view.setUint32(ph + 12, p.loadAddress, true); // p_paddr
  view.setUint32(ph + 16, file.length, true); // p_filesz
  view.setUint32(ph + 20, file.length + p.bssSize, true); // p_memsz
  view.setUint32(ph + 24, 7, true); // p_flags: R W X
  view.setUint32(ph + 28, 0x1000, true); // p_align
  file.set(p.code, p.headerRoom);
  return file;
}
