# Latency histograms and the exports dashboards read: JSON lines, the
# Prometheus/OpenMetrics text, checked by the real consumers (jq, promtool,
# a Prometheus server scraping hcallstat).  On this machine's KVM backend
# kvm_entry never fires, so x86 latencies exist for the userspace round
# trips (exit to the VMM's next KVM_RUN); those must number exactly the
# userspace requests.

EXPORT_MIX=pio-user=700,pio-kernel=300,mmio-user=200,cpuid=100

t_export_json_histograms_match_counts() {
	"$BIN/hcallstat" -L -j -o stat.json -- "$BIN/hcall-load" -j -c 2 -m $EXPORT_MIX > load.json || return 1
	check_against_load load.json stat.json || return 1
	# every line parses; each userspace row of the VM has one latency per request
	jq -e -s 'all(.[]; .schema == "hcallstat/1")' stat.json > /dev/null || { echo "bad JSON lines"; return 1; }
	local pid bad
	pid=$(jq .pid load.json)
	bad=$(stat_total stat.json | jq -r --argjson pid "$pid" '.rows[] |
		select(.vm == $pid and .path == "userspace" and .kind != "exit") |
		select(.latency.count != .count or (.latency.buckets | add) != .count or
		       (.latency.buckets | length) != 32) |
		"\(.vcpu) \(.request) \(.arg): count \(.count), latency \(.latency.count), buckets \(.latency.buckets | add)"')
	[ -z "$bad" ] || { echo "$bad"; return 1; }
	expect_eq "$(stat_total stat.json | jq --argjson pid "$pid" '[.rows[] | select(.vm == $pid and .path == "userspace" and .kind != "exit") | .latency.count] | add')" \
		1800 "userspace latencies (2 vCPUs x 900)" || return 1
	# percentiles are ordered and inside the buckets' range
	stat_total stat.json | jq -e '.latency_scale == "log2" and (.latency_le_ns | length) == 32 and
		all(.rows[] | select(.latency.count > 0) | .latency; .p50_ns <= .p90_ns and .p90_ns <= .p99_ns and .p50_ns > 0)' \
		> /dev/null || { echo "bad latency summary"; return 1; }
	echo "p50/p99 of pio-out userspace, vCPU 0: $(stat_total stat.json | jq -r --argjson pid "$pid" \
		'.rows[] | select(.vm == $pid and .vcpu == 0 and .kind == "pio" and .path == "userspace") | "\(.latency.p50_ns) / \(.latency.p99_ns) ns"')"
}

t_export_linear_buckets() {
	"$BIN/hcallstat" --linear 0,250 -j -o stat.json -- "$BIN/hcall-load" -c 1 -m pio-user=400 > /dev/null || return 1
	stat_total stat.json | jq -e '.latency_scale == "linear" and .latency_le_ns[1] == 249 and .latency_le_ns[2] == 499 and
		.latency_le_ns[31] == null' > /dev/null || { echo "bad linear bounds"; return 1; }
	expect_eq "$(stat_total stat.json | jq '[.rows[] | select(.kind == "pio") | .latency.buckets | add] | add')" 400 \
		"linear bucket total" || return 1
	EXPECT_RC=2 EXPECT_MSG="invalid --linear" expect_error "$BIN/hcallstat" --linear 10,0 -d 1
}

t_export_textfile_promtool() {
	"$BIN/hcallstat" -L --textfile metrics.prom -- "$BIN/hcall-load" -j -c 1 -m $EXPORT_MIX > load.json 2> /dev/null || return 1
	promtool check metrics < metrics.prom || { echo "promtool refused metrics.prom"; return 1; }
	local pid
	pid=$(jq .pid load.json)
	expect_eq "$(grep "^hcallscope_requests_total{vm=\"$pid\",vcpu=\"0\",kind=\"pio\",request=\"pio-out\",arg=\"port=0x500\",path=\"userspace\"}" metrics.prom | cut -d' ' -f2)" \
		700 "textfile: userspace pio-out" &&
	expect_eq "$(grep "^hcallscope_request_latency_seconds_count{vm=\"$pid\",vcpu=\"0\",kind=\"pio\",request=\"pio-out\",arg=\"port=0x500\",path=\"userspace\"}" metrics.prom | cut -d' ' -f2)" \
		700 "textfile: latency count" &&
	expect_eq "$(grep "^hcallscope_request_latency_seconds_bucket{vm=\"$pid\",vcpu=\"0\",kind=\"pio\",request=\"pio-out\",arg=\"port=0x500\",path=\"userspace\",le=\"+Inf\"}" metrics.prom | cut -d' ' -f2)" \
		700 "textfile: +Inf bucket" &&
	expect_eq "$(ls | grep -c 'metrics.prom.tmp')" 0 "temp files left"
}

t_export_textfile_unwritable() {
	mkdir d
	EXPECT_MSG="cannot write d/missing/m.prom: No such file or directory" \
		expect_error "$BIN/hcallstat" --textfile d/missing/m.prom -d 1 &&
	EXPECT_MSG="cannot write /proc/m.prom" expect_error "$BIN/hcallstat" --textfile /proc/m.prom -d 1 || return 1
	expect_eq "$(find d | wc -l)" 1 "files left in d/"
}

# Prometheus itself scrapes hcallstat's endpoint (OpenMetrics negotiated)
# and its HTTP API must return the mix's values.
t_export_prometheus_scrape() {
	local pa=$((30000 + RANDOM % 10000)) pp=$((40000 + RANDOM % 10000)) s p pid i got=
	start_load_waiting load.json -c 1 -m $EXPORT_MIX || return 1
	pid=$LOAD_PID
	"$BIN/hcallstat" -v -L -p "$pid" --listen "127.0.0.1:$pa" 2> err > /dev/null &
	s=$!
	wait_attached err || { kill $s; return 1; }
	kill -USR1 "$pid"
	wait "$pid" || { kill $s; return 1; }
	cat > prom.yml <<EOS
global: { scrape_interval: 1s }
scrape_configs:
  - job_name: hcallstat
    static_configs: [ { targets: ['127.0.0.1:$pa'] } ]
EOS
	prometheus --config.file=prom.yml --storage.tsdb.path=tsdb --web.listen-address="127.0.0.1:$pp" \
		> prom.log 2>&1 &
	p=$!
	local q="hcallscope_requests_total{vm=\"$pid\",request=\"pio-out\",path=\"userspace\"}"
	for i in $(seq 60); do
		got=$(curl -s -G "http://127.0.0.1:$pp/api/v1/query" --data-urlencode "query=$q" |
			jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
		[ -n "$got" ] && break
		sleep 0.5
	done
	local lat kern
	lat=$(curl -s -G "http://127.0.0.1:$pp/api/v1/query" --data-urlencode \
		"query=hcallscope_request_latency_seconds_count{vm=\"$pid\",request=\"mmio-write\",path=\"userspace\"}" |
		jq -r '.data.result[0].value[1] // empty')
	kern=$(curl -s -G "http://127.0.0.1:$pp/api/v1/query" --data-urlencode \
		"query=sum(hcallscope_requests_total{vm=\"$pid\",path=\"kernel\"})" | jq -r '.data.result[0].value[1] // empty')
	local health
	health=$(curl -s "http://127.0.0.1:$pp/api/v1/targets" | jq -r '.data.activeTargets[0].health')
	kill $p $s; wait $p; wait $s
	expect_eq "$health" up "Prometheus target health (OpenMetrics scrape)" &&
	expect_eq "$got" 700 "Prometheus: userspace pio-out" &&
	expect_eq "$lat" 200 "Prometheus: userspace mmio-write latency count" &&
	expect_eq "$kern" 400 "Prometheus: kernel-path requests (pio-kernel + cpuid)" || { tail -5 prom.log; return 1; }
	echo "scraped after $((i / 2)) s"
}

t_export_listen_port_in_use() {
	local port=$((30000 + RANDOM % 10000)) s
	"$BIN/hcallstat" --listen "127.0.0.1:$port" -d 5 > /dev/null 2>&1 &
	s=$!
	sleep 1
	EXPECT_MSG="cannot listen on 127.0.0.1:$port: Address already in use" \
		expect_error "$BIN/hcallstat" --listen "127.0.0.1:$port" -d 1 || { kill $s; return 1; }
	kill $s; wait $s
	EXPECT_RC=2 EXPECT_MSG="invalid --listen" expect_error "$BIN/hcallstat" --listen 127.0.0.1:99999 -d 1
}

# Live mode: pinned programs and maps keep counting after hcallstat has
# exited; bpftool shows them with named fields; --unpin removes them, and
# with them the directory of a run killed while pinning.
t_export_pin_bpftool() {
	local pin=/sys/fs/bpf/hcallscope pid rows
	"$BIN/hcallstat" -L --pin 2> err || { cat err; return 1; }
	[ -d $pin/links ] && [ -e $pin/hists ] || { echo "nothing pinned"; ls -R $pin; return 1; }
	"$BIN/hcall-load" -j -c 1 -m pio-user=70,pio-kernel=30,cpuid=20 > load.json || return 1
	pid=$(jq .pid load.json)
	bpftool -j map dump pinned $pin/hists > hists.json || return 1
	rows=$(jq -c --argjson pid "$pid" '[.[].formatted.value | select(.id.pid == $pid and .requests != 0) |
		[.id.kind, .id.path, .id.arg, .requests, .timed]] | sort' hists.json)
	# kinds: 2 pio, 4 cpuid; paths: 3 kernel, 4 userspace (bpf/hcallscope.h)
	expect_eq "$rows" "[[2,3,1281,30,0],[2,4,1280,70,70],[4,3,0,20,0],[6,4,0,1,0]]" \
		"bpftool: [kind, path, arg, requests, latencies timed]" || return 1
	EXPECT_MSG="$pin exists" expect_error "$BIN/hcallstat" --pin || return 1
	mkdir /sys/fs/bpf/hcallscope-pinning-999999999	# as a run killed while pinning leaves it
	"$BIN/hcallstat" --unpin 2> err || { cat err; return 1; }
	expect_eq "$(ls -a /sys/fs/bpf | grep -c hcallscope)" 0 "pin directories left" || return 1
	EXPECT_MSG="nothing pinned at $pin" expect_error "$BIN/hcallstat" --unpin
}
