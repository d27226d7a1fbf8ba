# The client only needs its address: PUBLIC_MAC.
addr "$1" 192.168.4.10/24
