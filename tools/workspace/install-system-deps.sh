#!/usr/bin/env bash
# Installs the Debian packages that tsemu's tests and tools run as real programs.
# Idempotent: packages already present are not fetched again.
set -euo pipefail

needed=(binutils gcc cpio genisoimage fdisk qemu-utils e2fsprogs)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "tsemu: these Debian packages are needed for the tests: ${missing[*]} (run as root or install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "tsemu: apt-get update reported errors; trying with the indexes it did fetch" >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
