#!/usr/bin/env bash
# The course note's steps for lvs-nat, by hand, as a student types them on this lab's Debian 12 hosts: the note's own
# commands, with what these hosts need beyond CentOS 7 marked "Debian:". Used by scripts/record-tutor-states.sh and
# the tutor e2e test, one step at a time: `bash scripts/tutor-steps.sh STEP HOST` prints the script for HOST.
# The NIC is looked up from its address, never copied ("网卡名称不能照抄").
set -euo pipefail
step=${1:?usage: tutor-steps.sh STEP HOST}
host=${2:?usage: tutor-steps.sh STEP HOST}
nic() { printf '$(ip -o -4 addr show to %s/32 | awk '"'"'{print $2}'"'"')' "$1"; }
case "$step/$host" in
  1.1/web1 | 1.1/web2)
    ip=$([ "$host" = web1 ] && echo 192.168.2.100 || echo 192.168.2.200)
    cat <<EOF
DEBIAN_FRONTEND=noninteractive apt-get -y -q install apache2     # yum -y install httpd
echo "$ip" > /var/www/html/index.html
firewall-cmd --set-default-zone=trusted
# Debian: NetworkManager bound the lab NIC to public explicitly, so it does not follow the default zone.
firewall-cmd --zone=trusted --change-interface=$(nic "$ip")
EOF
    ;;
  1.2/web1 | 1.2/web2) echo 'systemctl restart apache2     # systemctl restart httpd' ;;
  1.2/proxy) printf 'curl -sS http://192.168.2.100\ncurl -sS http://192.168.2.200\n' ;;
  1.3/web1 | 1.3/web2)
    ip=$([ "$host" = web1 ] && echo 192.168.2.100 || echo 192.168.2.200)
    cat <<EOF
conn=\$(nmcli -g GENERAL.CONNECTION device show $(nic "$ip"))
nmcli connection modify "\$conn" ipv4.method manual ipv4.gateway 192.168.2.5
nmcli connection up "\$conn"
ip route show
EOF
    ;;
  2.1/proxy)
    cat <<'EOF'
echo 1 > /proc/sys/net/ipv4/ip_forward
cat /proc/sys/net/ipv4/ip_forward
echo "net.ipv4.ip_forward = 1" >> /etc/sysctl.conf
EOF
    ;;
  2.2/proxy)
    cat <<'EOF'
DEBIAN_FRONTEND=noninteractive apt-get -y -q install ipvsadm     # yum -y install ipvsadm
ipvsadm -A -t 192.168.4.5:80 -s wrr
# Debian: firewalld's nftables drops the real servers' SYN-ACKs unless IPVS keeps conntrack entries.
sysctl -w net.ipv4.vs.conntrack=1
echo "net.ipv4.vs.conntrack = 1" >> /etc/sysctl.conf
EOF
    ;;
  2.3/proxy)
    cat <<'EOF'
ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.100 -w 1 -m
ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.200 -w 1 -m
EOF
    ;;
  2.4/proxy)
    cat <<EOF
ipvsadm -Ln
firewall-cmd --set-default-zone=trusted
# Debian: as on the real servers, the lab NICs were bound to public explicitly.
firewall-cmd --zone=trusted --change-interface=$(nic 192.168.4.5)
firewall-cmd --zone=trusted --change-interface=$(nic 192.168.2.5)
EOF
    ;;
  3/client) printf 'curl -sS 192.168.4.5\ncurl -sS 192.168.4.5\ncurl -sS 192.168.4.5\ncurl -sS 192.168.4.5\n' ;;
  *) echo "tutor-steps.sh: no step $step on $host" >&2; exit 2 ;;
esac
