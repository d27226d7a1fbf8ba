#!/usr/bin/env bash
# Record test/fixtures/trace/LAB/STATE/: on a converged `lab vm` instance of LAB, make each state over SSH, run
# `lab trace` with LAB_TRACE_RECORD (every host's capture start and stop output, the client's requests), then converge
# again and check that verify passes. The unit tests replay these through the same parsers and walk.
# Usage (after `npm run build`, `lab vm up LAB --instance I` and `lab up LAB --instance I`):
#   bash scripts/record-trace-states.sh LAB I [STATE...]
set -euo pipefail
cd "$(dirname "$0")/.."
labname=${1:?usage: record-trace-states.sh LAB INSTANCE [STATE...]}
instance=${2:?usage: record-trace-states.sh LAB INSTANCE [STATE...]}
shift 2
out=test/fixtures/trace/$labname
lab() { node bin/lab.js "$@" --instance "$instance"; }
on() { node bin/lab.js ssh "$labname" "$1" --instance "$instance" -- "$2" >/dev/null; }

# state @ host @ command that makes it (after a good `lab up`) @ command that undoes what lab up does not
case "$labname" in
  lvs-nat) states=(
    "good@@@"
    "web1-no-gateway@web1@ip route del default@"
    "web1-gateway-mgmt@web1@ip route del default; ip route add default via 10.0.2.2 dev \$(ip -o -4 addr | awk '/10\\.0\\.2\\./ {print \$2; exit}')@"
    "proxy-ip-forward-0@proxy@sysctl -w net.ipv4.ip_forward=0@"
    "web2-apache2-stopped@web2@systemctl stop apache2@"
    "proxy-no-service@proxy@ipvsadm -D -t 192.168.4.5:80@"
  ) ;;
  lvs-dr) states=(
    "good@@@"
    "web1-vip-gone@web1@ip addr del 192.168.4.15/32 dev \$(ip -o -4 addr | awk '/192\\.168\\.4\\.15\\// {print \$2; exit}')@"
  ) ;;
  lvs-tun) states=(
    "good@@@"
    "web1-rp-filter@web1@sysctl -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.tunl0.rp_filter=1@"
  ) ;;
  *) echo "no states for $labname" >&2; exit 2 ;;
esac
for entry in "${states[@]}"; do
  IFS='@' read -r state host cmd undo <<<"$entry"
  if [ $# -gt 0 ] && [[ " $* " != *" $state "* ]]; then continue; fi
  [ -n "$host" ] && on "$host" "$cmd"
  rm -rf "${out:?}/$state"
  LAB_TRACE_RECORD="$out/$state" lab trace "$labname" > "$out.$state.out" || true
  mv "$out.$state.out" "$out/$state/trace.out"
  [ -n "$undo" ] && on "$host" "$undo"
  lab up "$labname" >/dev/null
  lab verify "$labname" --wait 30s >/dev/null || { echo "verify does not pass after undoing $state" >&2; exit 1; }
  echo "$labname $state: recorded, undone"
done
