#!/bin/sh
# Install the Debian packages `lab vm` needs (plus any given as arguments), only those missing; idempotent.
set -eu

PKGS=$(echo qemu-system-x86 qemu-utils mmdebstrap debootstrap apt-utils openssh-client e2fsprogs "$@")

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all present ($PKGS)"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing:$missing; run as root: apt-get update && apt-get install -y$missing" >&2
  exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
