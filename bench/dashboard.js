// The dashboard's page (bench/dashboard.sh inlines it into
// bench/dashboard.html.in after the data): RUNS, the runs' summaries
// (oldest first, each with what compare.sh flags against the run of its
// source before it: vs.with, vs.flagged, vs.error), and SEED, results/seed-reference.json, are defined before it.
const PATHS = ["real-mode", "virtual-mode", "userspace"];
const LEVEL_PATH = {2: "real-mode", 1: "virtual-mode", 0: "userspace"};
const SVGNS = "http://www.w3.org/2000/svg";
const el = (tag, attrs, ...kids) => {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
	for (const c of kids) e.append(c);
	return e;
};
const sv = (tag, attrs, text) => {
	const e = document.createElementNS(SVGNS, tag);
	for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
	if (text != null) e.textContent = text;
	return e;
};
const fix = (x, d) => (x == null || !isFinite(x) ? "-" : Number(x).toFixed(d));
// as bench/cost.jq: the middle value, or the mean of the two middle ones
const median = (v) => {
	const s = [...v].sort((a, b) => a - b), n = s.length;
	return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
// emulated and real-hardware runs are never pooled: a band or a median
// is over the runs of one source
const SOURCES = [...new Set(RUNS.map(r => r.source))];
const ofSource = (src) => SOURCES.length > 1 ? ` (${src})` : "";
const okCell = (r, key) => r.cells.find(c => c.status === "ok" && c.key === key);
const seedUser = SEED.figures.find(f => f.throughput != null).throughput;
const seedKern = SEED.figures.find(f => f.throughput_min != null);
const seedSpeedup = [seedKern.throughput_min / seedUser, seedKern.throughput_max / seedUser];

// a legend: [css class or colour, label] pairs
const legend = (items) => el("div", {class: "legend"}, ...items.map(([cls, label]) =>
	el("span", {class: "legend-item"}, el("span", {class: `swatch ${cls}`}), label)));

// An SVG chart with axes: x slots labelled xs (points from edge to edge,
// or bars: slot centres), y from 0 to ymax in unit
function chart(w, h, xs, ymax, unit, title, bars) {
	const m = {l: 52, r: 8, t: 18, b: 34};
	const svg = sv("svg", {width: w, height: h, class: "chart"});
	const span = w - m.l - m.r;
	const x = i => m.l + (bars ? (i + 0.5) * span / xs.length :
		xs.length > 1 ? i * span / (xs.length - 1) : span / 2);
	const y = v => h - m.b - v / ymax * (h - m.t - m.b);
	svg.append(sv("text", {x: m.l, y: 12, class: "chart-title"}, title));
	svg.append(sv("line", {x1: m.l, y1: h - m.b, x2: w - m.r, y2: h - m.b, class: "axis x-axis"}));
	svg.append(sv("line", {x1: m.l, y1: m.t, x2: m.l, y2: h - m.b, class: "axis y-axis"}));
	for (const v of [0, ymax / 2, ymax]) {
		svg.append(sv("line", {x1: m.l - 3, y1: y(v), x2: m.l, y2: y(v), class: "axis"}));
		svg.append(sv("text", {x: m.l - 5, y: y(v) + 4, class: "tick y-tick", "text-anchor": "end"}, fix(v, v < 10 ? 1 : 0)));
	}
	xs.forEach((s, i) => svg.append(sv("text", {x: x(i), y: h - m.b + 13, class: "tick x-tick", "text-anchor": "middle"}, s)));
	svg.append(sv("text", {x: 12, y: (m.t + h - m.b) / 2, class: "axis-label y-label",
		transform: `rotate(-90 12 ${(m.t + h - m.b) / 2})`, "text-anchor": "middle"}, unit));
	return {svg, x, y, m};
}

document.getElementById("summary").textContent =
	`${RUNS.length} run(s) in results/, ${RUNS.filter(r => !r.complete).length} partial. ` +
	"Emulated runs are QEMU TCG figures (a POWER8 emulated on x86), not POWER8 silicon: " +
	"their MB/s move from run to run, their instruction counts do not.";

// the seed's figures beside the model's prediction (no seed figure used)
// and, labelled, the calibrated second view
{
	const s = document.getElementById("seed");
	s.append(el("h2", {}, "The seed's result and the model"));
	const pred = [...RUNS].reverse().find(r => r.model && r.model.prediction && r.model.prediction.seed);
	const cal = [...RUNS].reverse().find(r => r.model && r.model.calibrated && r.model.calibrated.reproduced);
	const t = el("table", {id: "seed-table"}, el("tr", {}, el("th", {class: "k"}, "configuration"),
		el("th", {}, "seed, MB/s"), el("th", {}, "predicted, MB/s"), el("th", {}, "gap"),
		el("th", {}, "calibrated, MB/s")));
	SEED.figures.forEach((f, i) => {
		const seedv = f.throughput != null ? `${f.throughput}` : `${f.throughput_min}-${f.throughput_max}`;
		const p = pred ? pred.model.prediction.seed[i] : null;
		const c = cal ? cal.model.calibrated.reproduced[i] : null;
		t.append(el("tr", {class: "seed-row"}, el("td", {class: "k"}, f.configuration),
			el("td", {class: "seed-value"}, seedv),
			el("td", {class: "predicted-value"}, p ? `${p.predicted_MBps}` : "-"),
			el("td", {class: "gap"}, p && p.gap_pct != null ? `${p.gap_pct}%` : "-"),
			el("td", {class: "model-value"}, c ? `${c.model_MBps}` : "-")));
	});
	s.append(t, el("p", {class: "note"}, `${SEED.nic}; ${SEED.provenance.source}. ` +
		(pred ? `Predicted from run ${pred.run_id} with no seed figure as input (T0 from the link, ` +
			`published POWER8 costs, instruction ratios measured here; model.json lists each). ` : "") +
		(cal ? `Calibrated: two seed figures fit two parameters, so it matches by construction (run ${cal.run_id}).` : "")));
}

// Speedup of each level over userspace per run: MB/s (no DDW, per
// direction) and instructions per H_PUT_TCE, beside the seed's
{
	const s = document.getElementById("speedup");
	const t = el("table", {id: "speedup-table"}, el("tr", {}, el("th", {class: "k"}, "run"),
		...["tx L2/L0", "tx L1/L0", "rx L2/L0", "rx L1/L0", "H_PUT_TCE instr. L0/L2", "L0/L1", "seed (MB/s)"]
			.map(x => el("th", {}, x))));
	for (const r of RUNS) {
		const ratio = (dir, a) => {
			const hi = okCell(r, `no-ddw/${dir}/L${a}/P1/1500`), lo = okCell(r, `no-ddw/${dir}/L0/P1/1500`);
			return hi && lo ? `${fix(hi.throughput_MBps / lo.throughput_MBps, 1)}x` : "-";
		};
		const cost = l => {
			const row = (r.cost || []).find(x => x.key === `L${l}/H_PUT_TCE`);
			return row && row.vs_userspace != null ? `${fix(row.vs_userspace, 2)}x` : "-";
		};
		t.append(el("tr", {class: "speedup-row", "data-run": r.run_id}, el("td", {class: "k"}, r.run_id),
			el("td", {class: "tx-l2"}, ratio("tx", 2)), el("td", {}, ratio("tx", 1)),
			el("td", {class: "rx-l2"}, ratio("rx", 2)), el("td", {}, ratio("rx", 1)),
			el("td", {class: "cost-l2"}, cost(2)), el("td", {}, cost(1)),
			el("td", {class: "seed-speedup"}, `${fix(seedSpeedup[0], 1)}-${fix(seedSpeedup[1], 1)}x`)));
	}
	s.append(t, el("p", {class: "note"}, "MB/s ratios are wall-clock figures of the emulated machine " +
		"(they spread by ~1.5x between runs); instruction ratios are what one TCE hcall costs on each path, " +
		"reproducible within a few percent."));
}

// What one TCE hcall costs per level: the median over runs, the band
// from the lowest to the highest run, one bar per level and hcall
for (const src of SOURCES) {
	const s = document.getElementById("cost");
	const rows = RUNS.filter(r => r.source === src).flatMap(r => (r.cost || []).map(x => ({...x, run: r.run_id})));
	if (rows.length === 0) {
		s.append(el("p", {class: "note"}, `No ${src} run has hcall_cost yet.`));
	} else {
		const keys = [...new Set(rows.map(x => x.key))].sort((a, b) =>
			a.split("/")[1].localeCompare(b.split("/")[1]) || b.localeCompare(a));
		const stats = keys.map(k => {
			const v = rows.filter(x => x.key === k).map(x => x.instructions.median).sort((a, b) => a - b);
			const lvl = Number(k.slice(1, 2));
			const med = median(v);
			return {k, lvl, min: v[0], max: v[v.length - 1], med, n: v.length,
				spread: (v[v.length - 1] - v[0]) / med * 100};
		});
		const ymax = Math.max(...stats.map(x => x.max)) * 1.1;
		const c = chart(760, 260, keys.map(k => k.replace("H_PUT_TCE_INDIRECT", "INDIRECT").replace("H_", "")),
			ymax, "instructions / hcall", "Cost of one TCE hcall per level (median of runs; band: lowest to highest run)" + ofSource(src), true);
		const bw = (760 - c.m.l - c.m.r) / keys.length * 0.6;
		stats.forEach((st, i) => {
			const g = sv("g", {class: "cost-bar", "data-key": st.k, "data-median": fix(st.med, 1),
				"data-spread": fix(st.spread, 2)});
			g.append(sv("rect", {x: c.x(i) - bw / 2, y: c.y(st.med), width: bw, height: c.y(0) - c.y(st.med),
				class: LEVEL_PATH[st.lvl]}));
			g.append(sv("rect", {x: c.x(i) - bw / 2 - 3, y: c.y(st.max), width: bw + 6,
				height: Math.max(1, c.y(st.min) - c.y(st.max)), class: "band"}));
			g.append(sv("title", {}, `${st.k}: ${fix(st.med, 0)} instructions (${st.n} run(s), spread ${fix(st.spread, 2)}%)`));
			c.svg.append(g);
		});
		s.append(c.svg, legend([["real-mode", "level 2: real mode"], ["virtual-mode", "level 1: virtual mode"],
			["userspace", "level 0: userspace"], ["band", "spread over runs (min-max)"]]));
		const t = el("table", {class: "cost-table", "data-source": src}, el("tr", {}, el("th", {class: "k"}, "level/hcall"),
			el("th", {}, "instructions (median)"), el("th", {}, "runs"), el("th", {}, "spread over runs")));
		for (const st of stats)
			t.append(el("tr", {class: "cost-row", "data-key": st.k}, el("td", {class: "k"}, st.k),
				el("td", {class: "cost-median"}, fix(st.med, 0)), el("td", {}, `${st.n}`),
				el("td", {class: "cost-spread"}, `${fix(st.spread, 2)}%`)));
		s.append(t);
	}
}

// every cell key's throughput across runs: a chart per key with axes,
// the min-max band of the complete runs, partial runs' points in red
{
	const trend = document.getElementById("trend");
	trend.append(legend([["point-ok", "a complete run"], ["point-partial", "a partial run"],
		["band", "min-max of the complete runs"]]));
	for (const src of SOURCES) {
	const runsOf = RUNS.filter(r => r.source === src);
	const keys = [...new Set(runsOf.flatMap(r => r.cells.filter(c => c.status === "ok").map(c => c.key)))].sort();
	const grid = el("div", {});
	const xs = runsOf.map((r, i) => `#${i + 1}`);
	for (const k of keys) {
		const pts = runsOf.map((r, i) => ({i, r, c: okCell(r, k)})).filter(p => p.c);
		const full = pts.filter(p => p.r.complete).map(p => p.c.throughput_MBps);
		const max = Math.max(...pts.map(p => p.c.throughput_MBps)) * 1.15 || 1;
		const c = chart(300, 150, xs, max, "MB/s", k + ofSource(src));
		c.svg.setAttribute("class", "chart trend");
		c.svg.setAttribute("data-key", k);
		if (full.length > 1) {
			const lo = Math.min(...full), hi = Math.max(...full);
			c.svg.append(sv("rect", {x: c.m.l, y: c.y(hi), width: 300 - c.m.l - c.m.r,
				height: Math.max(1, c.y(lo) - c.y(hi)), class: "band",
				"data-spread": fix((hi - lo) / lo * 100, 1)}));
		}
		c.svg.append(sv("polyline", {points: pts.map(p => `${c.x(p.i)},${c.y(p.c.throughput_MBps)}`).join(" "),
			fill: "none", class: "trend-line"}));
		for (const p of pts) {
			const dot = sv("circle", {cx: c.x(p.i), cy: c.y(p.c.throughput_MBps), r: 3,
				class: "point" + (p.r.complete ? " point-ok" : " partial-point point-partial"),
				"data-run": p.r.run_id, "data-value": fix(p.c.throughput_MBps, 1)});
			dot.append(sv("title", {}, `${p.r.run_id}: ${fix(p.c.throughput_MBps, 1)} MB/s`));
			c.svg.append(dot);
		}
		grid.append(c.svg);
	}
	trend.append(grid, el("p", {class: "note"}, `x: ${src} runs in date order (` +
		runsOf.map((r, i) => `#${i + 1} ${r.run_id}`).join(", ") + ")"));
	}
}

// one section per run, newest first, its cells flagged where compare.sh
// flags them against the run before
{
	const runs = document.getElementById("runs");
	const secs = [];
	RUNS.forEach((r) => {
		const sec = el("section", {class: "run", "data-run": r.run_id});
		const h = el("h2", {}, `${r.run_id} `, el("span", {class: `badge ${r.source}`}, r.source));
		if (!r.complete)
			h.append(" ", el("span", {class: "badge partial"}, `PARTIAL: ${r.partial_reason || "cells failed"}`));
		const vs = r.vs || {flagged: []};
		const flagged = vs.flagged;
		// "-": no earlier run of its source to compare with, or no comparison
		const judged = vs.with != null && vs.error == null;
		if (vs.error != null)
			h.append(" ", el("span", {class: "badge not-compared"}, `not compared with ${vs.with}: ${vs.error}`));
		else if (vs.with != null)
			h.append(" ", el("span", {class: `badge ${flagged.length ? "regressed" : "clean"}`},
				flagged.length ? `${flagged.length} flagged vs ${vs.with}` : `nothing flagged vs ${vs.with}`));
		sec.append(h, el("p", {class: "note"}, `${r.date}, host ${r.host.cpu} (${r.host.platform}), ` +
			`kernel ${r.kernel.release}, series ${r.kernel.series_sha256}; `,
			el("a", {href: `${r.dir}/throughput.svg`}, "plot"), ", ",
			el("a", {href: `${r.dir}/run.json`}, "run.json")));
		const t = el("table", {}, el("tr", {}, ...["cell", "level", "status", "MB/s", "TCE hcalls/MB",
			"path mix", "guest = host", "vs previous"].map((s, i) => el("th", {class: i ? "" : "k"}, s))));
		for (const c of r.cells) {
			const n = c.hcalls_per_MB || {};
			const mix = el("span", {class: "mix"});
			if (n.total > 0)
				for (const p of PATHS)
					mix.append(el("span", {class: p, style: `width:${(n[p] / n.total * 100).toFixed(1)}%`,
						title: `${p} ${fix(n[p], 1)}/MB`}));
			const mine = flagged.filter(m => m.startsWith(`${c.key} `)).map(m => m.slice(c.key.length + 1));
			t.append(el("tr", {class: "cell" + (mine.length ? " flagged" : ""), "data-key": c.key},
				el("td", {class: "k"}, c.key), el("td", {}, c.level_name),
				el("td", {class: "status"}, c.status),
				el("td", {class: "tput"}, fix(c.throughput_MBps, 1)),
				el("td", {class: "hpm"}, fix(n.total, 1)), el("td", {}, mix),
				el("td", {class: "match"}, c.status !== "ok" ? "-" : c.host === c.guest ? "yes" : `NO (${c.guest} vs ${c.host})`),
				el("td", {class: "vs-prev"}, !judged ? "-" : mine.length ? `REGRESSION: ${mine.join(", ")}` :
					c.status !== "ok" ? "-" : "same")));
		}
		for (const x of r.cost || []) {
			const m = `${x.key} instructions/hcall`;
			const f = flagged.includes(m);
			t.append(el("tr", {class: "cost" + (f ? " flagged" : ""), "data-key": x.key},
				el("td", {class: "k"}, `${x.key} cost`), el("td", {}, x.level_name), el("td", {class: "status"}, x.path),
				el("td", {}, "-"), el("td", {class: "cost-median"}, `${fix(x.instructions.median, 0)} instr.`),
				el("td", {}, `spread ${fix(x.instructions.spread_pct, 2)}%`), el("td", {}, "-"),
				el("td", {class: "vs-prev"}, !judged ? "-" : f ? "REGRESSION" : "same")));
		}
		sec.append(t);
		secs.push(sec);
	});
	runs.append(el("h2", {}, "Runs, newest first"),
		legend([["real-mode", "real mode"], ["virtual-mode", "virtual mode"], ["userspace", "userspace"]]),
		el("p", {class: "note"}, "Path mix: the share of the cell's TCE hcalls each path completed " +
			"(the host kernel's counters). vs previous: bench/compare.sh against the run of the same source before it."),
		...secs.reverse());
}
