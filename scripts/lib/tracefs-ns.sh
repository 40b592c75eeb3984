# Sourced (sh or bash): re-run the calling script in a private mount
# namespace with tracefs (and, if asked, a BPF filesystem) mounted when the
# machine has none mounted.  What is mounted there vanishes with the
# namespace: nothing stays mounted, no pin outlives the run.
#   tracefs_ns "$0" "$@"            HS_NS_MOUNT_BPFFS=1 also mounts bpffs
# Returns (does nothing) when all is mounted or when already re-run.
tracefs_ns() {
	_need=
	[ -d /sys/kernel/tracing/events ] || _need=1
	if [ "${HS_NS_MOUNT_BPFFS:-}" = 1 ] &&
		[ "$(stat -f -c %T /sys/fs/bpf 2> /dev/null)" != bpf_fs ]; then
		_need=1
	fi
	[ -n "$_need" ] && [ "${HS_IN_TRACEFS_NS:-}" != 1 ] || return 0
	command -v unshare > /dev/null || { echo "$(basename "$1"): tracefs is not mounted and unshare is missing" >&2; exit 1; }
	HS_IN_TRACEFS_NS=1 exec unshare -m --propagation private sh -c '
		[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing || exit 1
		if [ "${HS_NS_MOUNT_BPFFS:-}" = 1 ] && [ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ]; then
			mount -t bpf bpf /sys/fs/bpf || exit 1
		fi
		exec "$0" "$@"' "$@"
}
