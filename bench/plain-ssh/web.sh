# The course's real-server steps, adapted to Debian, as one plain script: ADDR GATEWAY LAB_MAC MGMT_MAC.
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q apache2 >/dev/null
echo "$1" > /var/www/html/index.html
firewall-cmd --set-default-zone=trusted
addr "$3" "$1/24" "$2"
mgmt_never_default "$4"
systemctl restart apache2
