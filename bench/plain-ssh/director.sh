# The course's director steps, adapted to Debian: PUBLIC_MAC PRIVATE_MAC.
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q ipvsadm >/dev/null
firewall-cmd --set-default-zone=trusted
addr "$1" 192.168.4.5/24
addr "$2" 192.168.2.5/24
echo 1 > /proc/sys/net/ipv4/ip_forward
echo "net.ipv4.ip_forward = 1" >> /etc/sysctl.conf
ipvsadm -A -t 192.168.4.5:80 -s wrr
ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.100 -w 1 -m
ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.200 -w 1 -m
