// The dashboard's page (bench/dashboard.sh inlines it into
// bench/dashboard.html.in after the data): RUNS, the runs' summaries, and
// SEED, results/seed-reference.json, are defined before it.
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
