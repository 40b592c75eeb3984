#!/bin/sh
# The bench guest's agent (the guest image's script, see bench/guest.sh):
# runs each command line the host writes on the second console, hvc1, and
# answers with the output and "HS-AGENT-DONE <exit status>".
tty=/dev/hvc1
i=0
while [ ! -e $tty ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e $tty ] || { echo "guest-agent: no $tty (QEMU without the control console?)"; exit 1; }
exec 3<> $tty
# raw, no echo; set on the open descriptor (hvc resets termios on last close)
stty raw -echo <&3 || { echo "guest-agent: cannot set $tty raw"; exit 1; }
echo "guest-agent: commands on $tty"
echo HS-AGENT-READY >&3
while IFS= read -r line <&3; do
	sh -c "$line" < /dev/null >&3 2>&1
	echo "HS-AGENT-DONE $?" >&3
done
