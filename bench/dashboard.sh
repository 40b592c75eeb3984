#!/bin/bash
# A static HTML dashboard of the iperf3 bench runs in a results directory:
# per run, throughput and path mix per cell (partial runs marked), the
# seed's figures with the model's reproduction, and every cell's throughput
# over time across runs.  One self-contained file (data inlined, no
# network); tests/t-bench.sh renders it in headless Chromium.
#
#   bench/dashboard.sh [-o FILE] [RESULTS-DIR]     default: results/dashboard.html
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "dashboard: $*" >&2; exit 1; }
out=
usage="usage: dashboard.sh [-o FILE] [RESULTS-DIR]"
case ${1:-} in -h|--help) echo "$usage (man: dist/man/hcallscope-dashboard.1)"; exit 0 ;; esac
while getopts o: c; do
	case $c in
	o) out=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
dir=${1:-$top/results}
[ -d "$dir" ] || die "no results directory $dir"
out=${out:-$dir/dashboard.html}

runs=()
for f in "$dir"/*/run.json; do
	[ -e "$f" ] || continue
	jq -e '.schema == "hcallscope.iperf/1" and (.cells | type) == "array"' "$f" > /dev/null 2>&1 ||
		die "$f: not an iperf3 bench run (hcallscope.iperf/1) or malformed"
	runs+=("$f")
done
[ ${#runs[@]} -gt 0 ] || die "no iperf3 bench runs (*/run.json) in $dir"

data=$(for f in "${runs[@]}"; do
	m=$(dirname "$f")/model.json
	jq -c --arg dir "$(basename "$(dirname "$f")")" \
		--argjson model "$(if [ -r "$m" ]; then jq -c .seed "$m"; else echo null; fi)" \
		'{dir: $dir, run_id, source, complete, partial_reason, date, kernel, host, model: $model,
		  cells: [.cells[] | {key, variant, direction, level, level_name, streams, mtu, status,
			throughput_MBps, hcalls_per_MB, host: .tce_hcalls.host_total, guest: .tce_hcalls.guest_total}]}' "$f"
done | jq -sc 'sort_by(.date)') || die "cannot read the runs"
seed=$(jq -c . "$top/results/seed-reference.json")

tmp=$(mktemp "$(dirname "$out")/.dashboard.XXXXXX") || die "cannot write next to $out"
trap 'rm -f "$tmp"' EXIT
{
cat <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>hcallscope bench dashboard</title>
<style>
body { font: 14px/1.4 sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
td.k, th.k { text-align: left; font-family: monospace; }
.badge { padding: 1px 6px; border-radius: 3px; color: #fff; font-size: .85em; }
.emulated { background: #777; } .real-hardware { background: #2a6; } .partial { background: #c33; }
.mix { display: inline-block; width: 160px; height: 12px; background: #eee; vertical-align: middle; }
.mix span { display: inline-block; height: 12px; }
.real-mode { background: #228833; } .virtual-mode { background: #ccbb44; } .userspace { background: #ee6677; }
.note { color: #666; font-size: .9em; }
</style></head><body>
<h1>hcallscope bench dashboard</h1>
<p class="note" id="summary"></p>
<section id="seed"></section>
<section id="trend"><h2>Throughput over time</h2></section>
<section id="runs"></section>
<script>
EOF
printf 'const RUNS = %s;\nconst SEED = %s;\n' "$data" "$seed"
cat <<'EOF'
const PATHS = ["real-mode", "virtual-mode", "userspace"];
const el = (tag, attrs, ...kids) => {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
	for (const c of kids) e.append(c);
	return e;
};
const fix = (x, d) => (x == null ? "-" : Number(x).toFixed(d));

document.getElementById("summary").textContent =
	`${RUNS.length} run(s) in results/, ${RUNS.filter(r => !r.complete).length} partial. ` +
	"Emulated runs are QEMU TCG figures (a POWER8 emulated on x86), not POWER8 silicon.";

// the seed's figures, and the model's reproduction from the newest run that has one
{
	const s = document.getElementById("seed");
	s.append(el("h2", {}, "The seed's result"));
	const t = el("table", {id: "seed-table"}, el("tr", {}, el("th", {class: "k"}, "configuration"),
		el("th", {}, "seed, MB/s"), el("th", {}, "model, MB/s")));
	const model = [...RUNS].reverse().find(r => r.model && r.model.reproduced);
	SEED.figures.forEach((f, i) => {
		const seedv = f.throughput != null ? `${f.throughput}` : `${f.throughput_min}-${f.throughput_max}`;
		const m = model ? model.model.reproduced[i] : null;
		t.append(el("tr", {class: "seed-row"}, el("td", {class: "k"}, f.configuration),
			el("td", {class: "seed-value"}, seedv), el("td", {class: "model-value"}, m ? `${m.model_MBps}` : "-")));
	});
	s.append(t, el("p", {class: "note"}, `${SEED.nic}; ${SEED.provenance.source}` +
		(model ? `; model from run ${model.run_id}: userspace hcall ${model.model.cost_us.userspace.value} us ` +
			`(${model.model.cost_us.userspace.vs_published_exit_entry})` : "")));
}

// every cell key's throughput across runs, one small chart per key
{
	const trend = document.getElementById("trend");
	const keys = [...new Set(RUNS.flatMap(r => r.cells.filter(c => c.status === "ok").map(c => c.key)))].sort();
	const W = 260, H = 90;
	const grid = el("div", {});
	for (const k of keys) {
		const pts = RUNS.map((r, i) => ({i, r, c: r.cells.find(c => c.status === "ok" && c.key === k)}))
			.filter(p => p.c);
		const max = Math.max(...pts.map(p => p.c.throughput_MBps)) || 1;
		const ns = "http://www.w3.org/2000/svg";
		const svg = document.createElementNS(ns, "svg");
		svg.setAttribute("width", W); svg.setAttribute("height", H);
		svg.setAttribute("class", "trend"); svg.setAttribute("data-key", k);
		const x = i => RUNS.length > 1 ? 10 + i * (W - 20) / (RUNS.length - 1) : W / 2;
		const y = v => H - 8 - v / max * (H - 30);
		const line = document.createElementNS(ns, "polyline");
		line.setAttribute("points", pts.map(p => `${x(p.i)},${y(p.c.throughput_MBps)}`).join(" "));
		line.setAttribute("fill", "none"); line.setAttribute("stroke", "#4477aa");
		svg.append(line);
		for (const p of pts) {
			const dot = document.createElementNS(ns, "circle");
			dot.setAttribute("cx", x(p.i)); dot.setAttribute("cy", y(p.c.throughput_MBps)); dot.setAttribute("r", 3);
			dot.setAttribute("class", "point" + (p.r.complete ? "" : " partial-point"));
			dot.setAttribute("fill", p.r.complete ? "#4477aa" : "#c33");
			dot.setAttribute("data-run", p.r.run_id); dot.setAttribute("data-value", fix(p.c.throughput_MBps, 1));
			const tip = document.createElementNS(ns, "title");
			tip.textContent = `${p.r.run_id}: ${fix(p.c.throughput_MBps, 1)} MB/s`;
			dot.append(tip); svg.append(dot);
		}
		const label = document.createElementNS(ns, "text");
		label.setAttribute("x", 4); label.setAttribute("y", 12); label.setAttribute("font-size", 11);
		label.textContent = `${k}, max ${fix(max, 1)} MB/s`;
		svg.append(label);
		grid.append(svg);
	}
	trend.append(grid);
}

// one section per run, newest first
{
	const runs = document.getElementById("runs");
	for (const r of [...RUNS].reverse()) {
		const sec = el("section", {class: "run", "data-run": r.run_id});
		const h = el("h2", {}, `${r.run_id} `, el("span", {class: `badge ${r.source}`}, r.source));
		if (!r.complete)
			h.append(" ", el("span", {class: "badge partial"}, `PARTIAL: ${r.partial_reason || "cells failed"}`));
		sec.append(h, el("p", {class: "note"}, `${r.date}, host ${r.host.cpu} (${r.host.platform}), ` +
			`kernel ${r.kernel.release}, series ${r.kernel.series_sha256}; `,
			el("a", {href: `${r.dir}/throughput.svg`}, "plot"), ", ",
			el("a", {href: `${r.dir}/run.json`}, "run.json")));
		const t = el("table", {}, el("tr", {}, ...["cell", "level", "status", "MB/s", "TCE hcalls/MB",
			"path mix", "guest = host"].map((s, i) => el("th", {class: i ? "" : "k"}, s))));
		for (const c of r.cells) {
			const n = c.hcalls_per_MB || {};
			const mix = el("span", {class: "mix"});
			if (n.total > 0)
				for (const p of PATHS)
					mix.append(el("span", {class: p, style: `width:${(n[p] / n.total * 100).toFixed(1)}%`,
						title: `${p} ${fix(n[p], 1)}/MB`}));
			t.append(el("tr", {class: "cell", "data-key": c.key},
				el("td", {class: "k"}, c.key), el("td", {}, c.level_name),
				el("td", {class: "status"}, c.status),
				el("td", {class: "tput"}, fix(c.throughput_MBps, 1)),
				el("td", {class: "hpm"}, fix(n.total, 1)), el("td", {}, mix),
				el("td", {class: "match"}, c.status !== "ok" ? "-" : c.host === c.guest ? "yes" : `NO (${c.guest} vs ${c.host})`)));
		}
		sec.append(t);
		runs.append(sec);
	}
}
</script></body></html>
EOF
} > "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "dashboard: $out (${#runs[@]} runs)"
