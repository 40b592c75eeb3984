#!/bin/sh
# /init of scripts/power-testbed.sh's machines: mounts what the tests need,
# loads the modules listed in /hs/modules, brings up eth0 (hs.ip= and hs.gw=
# on the kernel command line override QEMU's user network addresses), runs
# /hs/test.sh and powers off.  "HS-BOOTED ..." and "HS-EXIT <status>" on
# the console are what power-testbed.sh reads.
export PATH=/hs:/usr/sbin:/usr/bin:/bin
mount -t proc none /proc; mount -t sysfs none /sys; mount -t devtmpfs none /dev
mount -t tracefs none /sys/kernel/tracing; mount -t bpf none /sys/fs/bpf
mount -t tmpfs none /tmp
for m in $(cat /hs/modules); do insmod /lib/modules/$m.ko 2>/dev/null; done
addr=10.0.2.15/24 gw=10.0.2.2	# QEMU's user network; hs.ip= and hs.gw= override
for a in $(cat /proc/cmdline); do
	case $a in hs.ip=*) addr=${a#hs.ip=} ;; hs.gw=*) gw=${a#hs.gw=} ;; esac
done
if [ -e /sys/class/net/eth0 ]; then
	ip link set lo up; ip link set eth0 up
	ip addr add $addr dev eth0; ip route add default via $gw
	for i in $(seq 50); do [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
fi
echo "HS-BOOTED $(uname -r) kvm-hv=$([ -e /dev/kvm ] && echo yes || echo no) net=$([ -e /sys/class/net/eth0 ] && echo yes || echo no)"
cd /tmp
sh /hs/test.sh
echo "HS-EXIT $?"
poweroff -f
