#!/bin/sh
# Install the Debian packages `lab vm` and the tests need (plus any given as arguments), only those missing; idempotent.
# openssh-server: test/e2e/knownhosts.test.ts runs a real /usr/sbin/sshd (no daemon is started at install: see below).
#   --with-vagrant  also what the Vagrant tests need: vagrant, vagrant-libvirt, libvirt's daemons, dnsmasq
#   --with-chromium also Debian's chromium, which the browser tests open the HTML reports and SVGs in (headless)
set -eu

EXTRA=""
VAGRANT=""
CHROMIUM=""
for a in "$@"; do
  case "$a" in
    --with-vagrant) VAGRANT="vagrant vagrant-libvirt libvirt-daemon-system libvirt-clients dnsmasq-base iproute2 util-linux" ;;
    --with-chromium) CHROMIUM="chromium" ;;
    *) EXTRA="$EXTRA $a" ;;
  esac
done

PKGS=$(echo qemu-system-x86 qemu-utils mmdebstrap debootstrap apt-utils openssh-client openssh-server e2fsprogs $VAGRANT $CHROMIUM $EXTRA)

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
# No daemon may start from a package's install script (libvirtd would autostart its NAT network):
# the tests start libvirtd themselves, in a network namespace of their own.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  guard=/usr/sbin/policy-rc.d
fi
trap '[ -z "$guard" ] || rm -f "$guard"' EXIT
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# openssh-server enables sshd at boot (on port 22, all addresses); the tests need only the binary and start their own
# on 127.0.0.1, so a server installed here stays off at boot.
case " $missing " in
  *" openssh-server "*)
    if command -v systemctl >/dev/null 2>&1 && systemctl disable ssh.service >/dev/null 2>&1; then
      echo "install-deps: openssh-server installed for the tests; its sshd does not start at boot (systemctl enable ssh to change that)"
    fi ;;
esac
