# Shared by the plain-ssh baseline: find a NIC by MAC and its NetworkManager connection (the course's "网卡名称不能照抄").
set -e
dev_of() { ip -o link | awk -v m="$1" 'tolower($0) ~ m { sub(":", "", $2); print $2; exit }'; }
conn_of() { nmcli -g GENERAL.CONNECTION device show "$1"; }
addr() { # MAC ADDRESS/PREFIX [GATEWAY]
  d=$(dev_of "$1"); c=$(conn_of "$d")
  [ -n "$c" ] || c=$(nmcli -t -f NAME,DEVICE connection show | awk -F: -v d="$d" '$2 == "" { print $1; exit }')
  nmcli connection modify "$c" ipv4.method manual ipv4.addresses "$2" ipv4.gateway "${3:-}"
  nmcli connection up "$c" ifname "$d" >/dev/null
}
mgmt_never_default() { # MAC of the management NIC
  d=$(dev_of "$1"); c=$(conn_of "$d")
  nmcli connection modify "$c" ipv4.never-default yes
  nmcli device reapply "$d"
}
