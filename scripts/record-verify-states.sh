#!/usr/bin/env bash
# Re-record test/fixtures/verify/: on a converged lvs-nat `lab vm` instance, make each broken state over SSH, record
# what `lab verify` reads on every host (scripts/record-verify.js), then converge again and check that verify passes.
# Usage (after `npm run build`, `lab vm up lvs-nat --instance I` and `lab up lvs-nat --instance I`):
#   bash scripts/record-verify-states.sh I [STATE...]
set -euo pipefail
cd "$(dirname "$0")/.."
instance=${1:?usage: record-verify-states.sh INSTANCE [STATE...]}
shift
inv=".lab/$instance/inventory.yaml"
out=test/fixtures/verify
lab() { node bin/lab.js "$@" --instance "$instance"; }
on() { # on HOST COMMAND: run it over ssh with the inventory's key and known_hosts
  local host=$1 port
  port=$(node -e "const y=require('yaml');const i=y.parse(require('fs').readFileSync('$inv','utf8'));console.log(i.hosts['$host'].port)")
  ssh -q -i ".lab/$instance/id_ed25519" -o UserKnownHostsFile=".lab/$instance/known_hosts" -o StrictHostKeyChecking=yes -p "$port" root@127.0.0.1 "$2"
}

# state | host | command that makes it (after a good `lab up`)
states=(
  "good||true"
  "web1-no-gateway|web1|ip route del default"
  "proxy-ip-forward-0|proxy|sysctl -w net.ipv4.ip_forward=0"
  "web2-apache2-stopped|web2|systemctl stop apache2"
  "proxy-scheduler-rr|proxy|ipvsadm -E -t 192.168.4.5:80 -s rr"
  "proxy-web1-dr|proxy|ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.100:80 -g -w 1"
  "web1-zone-public|web1|firewall-cmd --set-default-zone=public"
  "web1-zone-public-reactivated|web1|firewall-cmd --set-default-zone=public && nmcli connection up 'Wired connection 2'"
  "wrr-1-3|proxy|ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.200:80 -m -w 3"
  "web2-4net|web2|nmcli connection add type dummy ifname net4 con-name classroom-4net ipv4.method manual ipv4.addresses 192.168.4.200/24 && nmcli connection up classroom-4net"
  "persistent|proxy|ipvsadm -E -t 192.168.4.5:80 -s wrr -p 300"
  "proxy-inside-address-gone|proxy|ip addr del 192.168.2.5/24 dev ens4"
  "web2-listen-8080|web2|sed -i 's/^Listen 80\$/Listen 8080/' /etc/apache2/ports.conf && systemctl restart apache2"
  "web1-zone-stuck|web1|firewall-cmd --zone=public --change-interface=ens3"
)
for entry in "${states[@]}"; do
  IFS='|' read -r state host cmd <<<"$entry"
  if [ $# -gt 0 ] && [[ " $* " != *" $state "* ]]; then continue; fi
  [ -n "$host" ] && on "$host" "$cmd"
  rm -rf "${out:?}/$state"
  node scripts/record-verify.js lvs-nat "$inv" "$out/$state"
  # Undo: web2's dummy link first (lab up would take it down, not delete it), then converge and prove the lab good.
  [ "$state" = web2-4net ] && on web2 'nmcli connection delete classroom-4net'
  [ "$state" = persistent ] && on proxy 'ipvsadm -E -t 192.168.4.5:80 -s wrr'
  lab up lvs-nat >/dev/null
  lab verify lvs-nat --wait 30s >/dev/null || { echo "verify does not pass after undoing $state" >&2; exit 1; }
  echo "$state: recorded, undone"
done
