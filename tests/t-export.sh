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

# --aggregate: two VMs (2 and 3 vCPUs) started by one script, summed over
# the labels asked for, exactly, in JSON, the table and the metrics.
two_vms() {	# the script, for hcallstat -- sh -c
	echo '"$1" -j -c 2 -m pio-user=100,pio-kernel=200,cpuid=30 > a.json &
		"$1" -j -c 3 -m pio-user=10,cpuid=5 > b.json && wait $!'
}

t_export_aggregate() {
	"$BIN/hcallstat" -L -j -o stat.json --aggregate vm,vcpu -- \
		sh -c "$(two_vms)" sh "$BIN/hcall-load" || return 1
	# pio-out 0x500 userspace 2x100 + 3x10, 0x501 kernel 2x200, cpuid 2x30 + 3x5, HLT 5
	expect_eq "$(stat_total stat.json | jq -c '[.rows[] | [.request, .arg, .path, .count,
		has("vm"), has("vcpu")]] | sort')" \
		'[["cpuid",0,"kernel",75,false,false],["exit:HLT",0,"userspace",5,false,false],["pio-out",1280,"userspace",230,false,false],["pio-out",1281,"kernel",400,false,false]]' \
		"rows summed over VMs and vCPUs (request, arg, path, count, has vm, has vcpu)" &&
	expect_eq "$(stat_total stat.json | jq '.rows[] | select(.request == "pio-out" and .path == "userspace") |
		.latency.count, (.latency.buckets | add)' | sort -u)" 230 "its latencies, summed" &&
	expect_eq "$(stat_total stat.json | jq -c .aggregate)" '["vm","vcpu"]' "JSON aggregate" || return 1

	"$BIN/hcallstat" --aggregate arg,vcpu,vm --textfile m.prom -- \
		sh -c "$(two_vms)" sh "$BIN/hcall-load" > /dev/null || return 1
	promtool check metrics < m.prom || { echo "promtool refused m.prom"; return 1; }
	expect_eq "$(grep -c '^hcallscope_requests_total{' m.prom)" 4 "series (one per request and path)" &&
	expect_eq "$(grep -cE '(vm|vcpu|arg)=' m.prom)" 0 "lines with an aggregated label" &&
	expect_eq "$(grep '^hcallscope_requests_total{kind="pio",request="pio-out",path="userspace"}' m.prom | cut -d' ' -f2)" \
		230 "metrics: userspace pio-out of both VMs" || return 1

	"$BIN/hcallstat" --aggregate vcpu -- "$BIN/hcall-load" -c 3 -m pio-user=7 > out.txt || return 1
	grep -qE '^[0-9]+ +\* pio-out +port=0x500 +userspace +21$' out.txt ||
		{ echo "no summed row with vCPU '*':"; cat out.txt; return 1; }
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
	wait_attached err $s || { kill $s; return 1; }
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

# /metrics against hostile clients: each test fails on a wrong status or
# body, or on a scrape slower than its bound.  No VM is needed: the
# exposition of an idle host (the drops line) is the body checked.
http_start() {
	HTTP_PORT=$((20000 + RANDOM % 10000))	# below the ephemeral ports of our own clients
	"$BIN/hcallstat" -v --listen "127.0.0.1:$HTTP_PORT" > /dev/null 2> srv.err &
	SRV_PID=$!
	wait_attached srv.err $SRV_PID || { kill $SRV_PID; return 1; }
	HTTP_URL=http://127.0.0.1:$HTTP_PORT/metrics
}

# hcallstat must still be there and end as asked, with status 0
http_stop() {
	kill -0 $SRV_PID 2> /dev/null || { echo "hcallstat died: $(cat srv.err)"; wait $SRV_PID; return 1; }
	kill -INT $SRV_PID
	local rc=0
	wait $SRV_PID || rc=$?
	expect_eq "$rc" 0 "hcallstat's exit status after the clients"
}

# One scrape: status 200, the metrics, in under $1 s.  WHAT in $2.
http_scrape_within() {
	local r code t
	r=$(curl -s -m 10 -o scrape.body -w '%{http_code} %{time_total}' "$HTTP_URL")
	code=${r% *} t=${r#* }
	expect_eq "$code" 200 "scrape status ($2)" || return 1
	grep -qx 'hcallscope_dropped_events_total 0' scrape.body ||
		{ echo "scrape body ($2): $(head -c 300 scrape.body)"; return 1; }
	awk -v t="$t" -v max="$1" 'BEGIN { exit !(t < max) }' ||
		{ echo "scrape took $t s ($2), bound $1 s"; return 1; }
	echo "scrape ($2): $t s"
}

# The status line the server answers BYTES (a printf format) with, on a
# connection of its own, within 3 s.
http_status_of() {
	local fd line=
	exec {fd}<> "/dev/tcp/127.0.0.1/$HTTP_PORT" || return 1
	# shellcheck disable=SC2059
	printf "$1" >&$fd 2> /dev/null
	read -t 3 -r line <&$fd
	exec {fd}>&-
	echo "${line%$'\r'}"
}

t_export_http_idle_sockets() {
	local fds=() fd i
	http_start || return 1
	for i in 1 2 3 4 5 6 7 8; do
		exec {fd}<> "/dev/tcp/127.0.0.1/$HTTP_PORT" || return 1
		fds+=("$fd")
	done
	http_scrape_within 0.5 "8 idle connections open" || return 1
	# idle ones are answered 408 after the request deadline, not kept
	read -t 3 -r i <&"${fds[0]}"
	expect_eq "${i%$'\r'}" "HTTP/1.1 408 Request Timeout" "what an idle connection gets" || return 1
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	http_stop
}

t_export_http_slowloris() {
	local fd i line= t0
	http_start || return 1
	exec {fd}<> "/dev/tcp/127.0.0.1/$HTTP_PORT" || return 1
	t0=$(date +%s%N)
	(	trap '' PIPE
		printf 'GET /metrics HTTP/1.1\r\n' >&$fd
		for i in $(seq 40); do printf 'X' >&$fd || exit 0; sleep 0.05; done
	) 2> /dev/null &
	local feeder=$!
	http_scrape_within 0.5 "a slowloris client feeding a byte every 50 ms" || { kill $feeder; return 1; }
	read -t 3 -r line <&$fd
	kill $feeder 2> /dev/null; wait $feeder 2> /dev/null
	exec {fd}>&-
	expect_eq "${line%$'\r'}" "HTTP/1.1 408 Request Timeout" "what the slow client gets" || return 1
	t0=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $t0 -lt 1600 ] || { echo "slow client cut after $t0 ms (deadline 1000 ms)"; return 1; }
	echo "slow client cut after $t0 ms"
	http_stop
}

t_export_http_garbage_requests() {
	http_start || return 1
	expect_eq "$(http_status_of 'BLAH\r\n\r\n')" "HTTP/1.1 400 Bad Request" "garbage line" &&
	expect_eq "$(http_status_of '\001\002\377\000 / HTTP/1.1\r\n\r\n')" "HTTP/1.1 400 Bad Request" "binary garbage" &&
	expect_eq "$(http_status_of 'GET /metrics\r\n\r\n')" "HTTP/1.1 400 Bad Request" "no HTTP version" &&
	expect_eq "$(http_status_of 'GET /nope HTTP/1.1\r\n\r\n')" "HTTP/1.1 404 Not Found" "unknown path" &&
	expect_eq "$(http_status_of 'GET /metricsX HTTP/1.1\r\n\r\n')" "HTTP/1.1 404 Not Found" "path with a tail" &&
	expect_eq "$(http_status_of 'POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n')" \
		"HTTP/1.1 405 Method Not Allowed" "POST" &&
	expect_eq "$(http_status_of 'GET /metrics?x=1 HTTP/1.0\r\n\r\n')" "HTTP/1.1 200 OK" "a query, HTTP/1.0" || return 1
	# a client that connects and leaves at once costs nothing either
	local i fd
	for i in $(seq 20); do exec {fd}<> "/dev/tcp/127.0.0.1/$HTTP_PORT" && exec {fd}>&-; done
	http_scrape_within 0.5 "after garbage and hang-ups" || return 1
	http_stop
}

t_export_http_oversized_request() {
	local fd line= pad
	http_start || return 1
	pad=$(head -c 20000 /dev/zero | tr '\0' a)
	exec {fd}<> "/dev/tcp/127.0.0.1/$HTTP_PORT" || return 1
	( trap '' PIPE; printf 'GET /metrics HTTP/1.1\r\nX-Pad: %s\r\n\r\n' "$pad" >&$fd ) 2> /dev/null
	read -t 3 -r line <&$fd
	exec {fd}>&-
	expect_eq "${line%$'\r'}" "HTTP/1.1 431 Request Header Fields Too Large" "an 20 kB request head" || return 1
	http_scrape_within 0.5 "after an oversized request" || return 1
	http_stop
}

t_export_http_parallel_scrapes() {
	local t0 ms bad
	http_start || return 1
	t0=$(date +%s%N)
	# one URL per client (the query tells them apart), all at once
	curl -s -m 10 --parallel --parallel-immediate --parallel-max 100 \
		-w '%{http_code} %{time_total}\n' -o 'p#1.body' "$HTTP_URL?[1-100]" > codes 2> curl.err || true
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	expect_eq "$(grep -c '^200 ' codes)" 100 "scrapes answered 200 of 100" || { sort codes | uniq -c | head; return 1; }
	bad=$(grep -L -x 'hcallscope_dropped_events_total 0' p*.body | head -3)
	[ -z "$bad" ] || { echo "bodies without the metrics: $bad"; return 1; }
	expect_eq "$(ls p*.body | wc -l)" 100 "bodies" || return 1
	awk '{ if ($2 > m) m = $2 } END { printf "100 parallel scrapes: slowest %.3f s, ", m; exit !(m < 1) }' codes ||
		{ echo "(bound 1 s)"; return 1; }
	echo "all done in $ms ms"
	[ $ms -lt 2000 ] || { echo "100 parallel scrapes took $ms ms (bound 2000)"; return 1; }
	http_stop
}

t_export_http_connection_flood() {
	# more idle connections than the server keeps (256): the oldest idle
	# ones make room, and a scrape behind them is still answered fast
	local fds=() fd i
	http_start || return 1
	for i in $(seq 400); do
		exec {fd}<> "/dev/tcp/127.0.0.1/$HTTP_PORT" || return 1
		fds+=("$fd")
	done
	http_scrape_within 0.8 "400 idle connections ahead of it" || return 1
	for fd in "${fds[@]}"; do exec {fd}>&-; done
	http_stop
}
