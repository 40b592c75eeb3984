#!/bin/sh
# The main job on the built-in default: hcall-load runs a guest with a known
# mix of requests on this machine's KVM, hcallstat traces it from its first
# instruction and prints where each request was completed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/$(uname -m)

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (BPF needs it): sudo make demo" >&2; exit 1; }
[ -w /dev/kvm ] || { echo "demo: /dev/kvm is missing or not writable" >&2; exit 1; }

. "$top/scripts/lib/tracefs-ns.sh"
tracefs_ns "$0" "$@"
echo "== hcallstat -- hcall-load -c 2   (each vCPU issues the default mix)"
"$bin/hcallstat" -- "$bin/hcall-load" -c 2
