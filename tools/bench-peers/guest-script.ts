/**
 * The in-guest CPU workloads (issue 12, workload 2): a busybox shell script that busybox
 * init runs once after /init has printed the marker, in the benchmark initramfs only.
 *
 * Each workload prints `BENCH-BEGIN NAME`, runs, then `BENCH NAME SECONDS`: the guest's own
 * time from /proc/uptime (10 ms steps; Debian's busybox `date` has no %N). The harness times
 * the same two lines as they reach the host. `BENCH-RESULT NAME VALUE` lines carry checksums
 * of what was computed, so that an emulator that computes wrong results is seen.
 */

/** The timed workloads, in the order the script runs them. */
export const CPU_WORKLOADS = [
  { name: 'arith', what: 'shell arithmetic loop, 100 000 iterations' },
  { name: 'md5sum', what: 'md5sum of a 16 MiB file in tmpfs' },
  { name: 'sha256sum', what: 'sha256sum of the same file' },
  { name: 'gzip', what: 'gzip -9 of the same file (digits text, 4.7 MB compressed)' },
  { name: 'gunzip', what: 'gunzip of the result' },
  { name: 'awk', what: 'awk writing 100 000 pseudo-random lines (the sort input)' },
  { name: 'sort', what: 'sort of those lines' },
] as const;

export type CpuWorkloadName = (typeof CPU_WORKLOADS)[number]['name'];

/** Printed once every workload has run, just before the script powers the machine off. */
export const BENCH_DONE = 'BENCH-DONE';

export const BENCH_SCRIPT_PATH = '/etc/bench.sh';

export const BENCH_SCRIPT = `#!/bin/sh
# tsemu's peer benchmark (tools/bench-peers): CPU workloads timed by the guest and the host.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
cd /tmp

now() {
  read -r up rest < /proc/uptime
  echo "$up"
}

# run NAME COMMAND...: times one workload; a failing one prints BENCH-FAIL and its status.
run() {
  name=$1
  shift
  echo "BENCH-BEGIN $name"
  start=$(now)
  if "$@"; then
    end=$(now)
    echo "BENCH $name $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')"
  else
    echo "BENCH-FAIL $name $?"
  fi
}

arith() {
  i=0
  s=0
  while [ $i -lt 100000 ]; do
    s=$(((s + i * 7) % 1000003))
    i=$((i + 1))
  done
  echo "BENCH-RESULT arith $s"
}

# 16 MiB of decimal numbers, one per line: 1 MiB of seq output written 16 times. gzip's
# 32 KiB window never sees the repetition, so it compresses as much as 16 MiB of such text.
make_data() {
  seq 1 200000 | head -c 1048576 > chunk
  : > data
  n=0
  while [ $n -lt 16 ]; do
    cat chunk >> data
    n=$((n + 1))
  done
  rm chunk
}

md5() {
  set -- $(md5sum data)
  echo "BENCH-RESULT md5sum $1"
}

sha() {
  set -- $(sha256sum data)
  echo "BENCH-RESULT sha256sum $1"
}

compress() {
  gzip -9 -c data > data.gz
}

decompress() {
  gunzip -c data.gz > data.out
}

lines() {
  awk 'BEGIN { srand(1); for (i = 0; i < 100000; i++) printf "%08x %d\\n", int(rand() * 4294967296), i }' > lines
}

sorting() {
  sort lines > sorted
}

run arith arith
make_data
run md5sum md5
run sha256sum sha
run gzip compress
set -- $(md5sum data.gz)
echo "BENCH-RESULT gzip $1"
run gunzip decompress
cmp -s data data.out && echo "BENCH-RESULT gunzip same" || echo "BENCH-RESULT gunzip differs"
rm -f data data.out data.gz
run awk lines
set -- $(md5sum lines)
echo "BENCH-RESULT awk $1"
run sort sorting
set -- $(md5sum sorted)
echo "BENCH-RESULT sort $1"
echo ${BENCH_DONE}
poweroff
`;

/**
 * busybox init's table for the benchmark initramfs: the script runs once on the console
 * (instead of the standard image's shell) and powers the machine off at its end.
 */
export const BENCH_INITTAB = `# tsemu benchmark initramfs: run the CPU workloads once, then power off.
::once:/bin/sh ${BENCH_SCRIPT_PATH}
::shutdown:/bin/umount -a -r
`;
