"use strict";
// The runs pages: the list, one run (curves, report, confusion matrix, config, pictures), and a comparison.
const Runs = {
  listen(onChange) {
    const live = document.getElementById("live");
    const es = new EventSource("/api/events");
    es.addEventListener("hello", () => { live.textContent = "live"; live.classList.add("on"); });
    es.addEventListener("runs", e => onChange(JSON.parse(e.data)));
    es.onerror = () => { live.textContent = "reconnecting…"; live.classList.remove("on"); };
    return es;
  },
  metricCell(m, key) { return CR.el("td", {class: "num"}, key in m ? (key.endsWith("accuracy") ? (100 * m[key]).toFixed(2) + "%" : CR.fmt(m[key])) : "–"); },

  showList(main) {
    const sel = new Set();
    const compare = CR.el("button", {class: "primary", disabled: "", onclick: () => Router.go("/compare?" + [...sel].map(n => "run=" + encodeURIComponent(n)).join("&"), true)}, "Compare selected");
    const body = CR.el("tbody", {});
    const info = CR.el("p", {class: "muted"});
    const card = CR.el("div", {class: "card"}, CR.el("div", {style: "display:flex;align-items:center;gap:12px"}, CR.el("h1", {}, "Runs"), compare), info,
      CR.el("table", {id: "runs"}, CR.el("thead", {}, CR.el("tr", {}, ["", "run", "dataset", "model", "status", "epochs", "loss", "accuracy / R²"].map(h => CR.el("th", {}, h)))), body));
    main.append(card);
    const render = async () => {
      let d;
      try { d = await CR.json("/api/runs"); } catch (e) { CR.toast(e.message); return; }
      info.textContent = d.runs.length ? `${d.runs.length} run${d.runs.length > 1 ? "s" : ""} in ${d.folder}` :
        `No runs in ${d.folder} yet. Start one in a terminal, e.g. chainrule train --dataset moons --out ${d.folder}/moons; it appears here as it trains.`;
      body.replaceChildren(...d.runs.sort((a, b) => b.modified - a.modified).map(r => {
        const box = CR.el("input", {type: "checkbox", onchange: e => { e.target.checked ? sel.add(r.name) : sel.delete(r.name); compare.disabled = sel.size < 1; }});
        if (sel.has(r.name)) box.checked = true;
        const m = r.metrics || {}, loss = m.test_loss ?? m.val_loss ?? m.train_loss, acc = m.test_accuracy ?? m.val_accuracy ?? m.test_r2 ?? m.val_r2;
        const model = r.model + (r.hidden ? " " + r.hidden.join("-") : "");
        return CR.el("tr", {"data-run": r.name}, CR.el("td", {}, box), CR.el("td", {}, CR.el("a", {href: "/runs/" + encodeURIComponent(r.name)}, r.name)),
          CR.el("td", {}, r.dataset ?? "–"), CR.el("td", {}, model), CR.el("td", {}, CR.el("span", {class: "badge " + r.status}, r.status)),
          CR.el("td", {class: "num epochs"}, `${r.epochs_done}${r.epochs ? " / " + r.epochs : ""}`), CR.el("td", {class: "num"}, CR.fmt(loss)),
          CR.el("td", {class: "num"}, acc === undefined ? "–" : ("test_r2" in m || "val_r2" in m ? CR.fmt(acc) : (100 * acc).toFixed(2) + "%")));
      }));
    };
    render();
    let pending = null;
    const es = Runs.listen(() => { clearTimeout(pending); pending = setTimeout(render, 100); });
    return {leave() { es.close(); }};
  },

  curves(runs) {
    // one chart per quantity (loss, metric, lr); every run's train (dashed) and val (solid) lines
    const charts = [];
    const keyset = new Set(runs.flatMap(r => r.history.flatMap(e => Object.keys(e))));
    const metric = [...keyset].find(k => k.startsWith("val_") && k !== "val_loss");
    const spec = [["loss", "train_loss", "val_loss", true], [metric ? metric.slice(4) : null, metric ? "train_" + metric.slice(4) : null, metric, false], ["learning rate", "lr", null, false]];
    for (const [title, a, b, logy] of spec) {
      if (!title) continue;
      const series = [];
      runs.forEach((r, i) => {
        const c = CR.COLORS[i % CR.COLORS.length], tag = runs.length > 1 ? r.name + " " : "";
        if (a && keyset.has(a)) series.push({name: tag + (b ? "train" : title), color: c, dash: !!b, points: r.history.map(e => [e.epoch, e[a]])});
        if (b && keyset.has(b)) series.push({name: tag + "val", color: c, points: r.history.map(e => [e.epoch, e[b]])});
      });
      const canvas = CR.el("canvas", {class: "chart", "data-chart": title});
      const card = CR.el("div", {class: "card"}, CR.el("h2", {}, title), canvas, CR.legend(series));
      charts.push([card, () => CR.chart(canvas, series, {logy, xlabel: "epoch"})]);
    }
    return charts;
  },

  showRun(main, name) {
    const root = CR.el("div", {});
    main.append(root);
    const render = async () => {
      let r;
      try { r = await CR.json("/api/runs/" + encodeURIComponent(name).replace(/%2F/g, "/")); } catch (e) { root.replaceChildren(CR.el("div", {class: "err"}, e.message)); return; }
      const f = encodeURIComponent(name).replace(/%2F/g, "/");
      const charts = Runs.curves([r]);
      const head = CR.el("div", {class: "card"}, CR.el("h1", {}, name, " ", CR.el("span", {class: "badge " + r.status, id: "status"}, r.status)),
        CR.el("p", {class: "muted"}, `${r.dataset} · ${r.model}${r.hidden ? " " + r.hidden.join("-") : ""} · `, CR.el("span", {id: "epochs"}, `${r.history.length} epoch${r.history.length === 1 ? "" : "s"}`),
          r.stop_reason ? " · " + r.stop_reason : ""),
        Runs.metricsTable(r.final || (r.history.length ? r.history[r.history.length - 1] : {})));
      const grid = CR.el("div", {class: "grid2"}, charts.map(c => c[0]));
      const parts = [head, grid];
      if (r.confusion) parts.push(CR.el("div", {class: "card"}, CR.el("h2", {}, r.confusion.title), Runs.confusion(r.confusion)));
      const pics = r.files.filter(x => x.endsWith(".svg"));
      if (pics.length) parts.push(CR.el("div", {class: "grid2 pics"}, pics.map(p => CR.el("div", {class: "card"}, CR.el("h2", {}, p), CR.el("img", {src: `/api/runs/${f}/files/${p}?t=${r.modified}`, alt: p, loading: "lazy"})))));
      parts.push(CR.el("div", {class: "grid2"}, CR.el("div", {class: "card"}, CR.el("h2", {}, "report.txt"), CR.el("pre", {}, r.report || "(written when the run finishes)")),
        CR.el("div", {class: "card"}, CR.el("h2", {}, "config.toml"), CR.el("pre", {}, (r.config || "").split("\n").filter(l => l && !l.startsWith("#")).join("\n")))));
      root.replaceChildren(...parts);
      charts.forEach(c => c[1]());
    };
    render();
    const es = Runs.listen(d => { if (d.changed.includes(name)) render(); });
    const onresize = () => render();
    window.addEventListener("resize", onresize);
    return {leave() { es.close(); window.removeEventListener("resize", onresize); }};
  },

  metricsTable(m) {
    const rows = ["train", "val", "test"].filter(p => Object.keys(m).some(k => k.startsWith(p + "_")));
    const cols = [...new Set(Object.keys(m).filter(k => /^(train|val|test)_/.test(k)).map(k => k.replace(/^(train|val|test)_/, "")))];
    return CR.el("table", {class: "metrics"}, CR.el("thead", {}, CR.el("tr", {}, CR.el("th", {}, "split"), cols.map(c => CR.el("th", {}, c)))),
      CR.el("tbody", {}, rows.map(p => CR.el("tr", {}, CR.el("td", {}, p), cols.map(c => Runs.metricCell(m, p + "_" + c))))));
  },

  confusion(c) {
    const max = Math.max(1, ...c.rows.flat());
    return CR.el("table", {class: "confusion"}, CR.el("tr", {}, CR.el("th", {}, "true \\ pred"), c.labels.map(l => CR.el("th", {}, l))),
      c.rows.map((row, i) => CR.el("tr", {}, CR.el("th", {}, c.labels[i]), row.map((v, j) => CR.el("td", {style: `background:${i === j ? `rgba(42,157,84,${0.15 + 0.6 * v / max})` : (v ? `rgba(214,96,77,${0.15 + 0.6 * v / max})` : "transparent")}`}, v)))));
  },

  showCompare(main, names) {
    const root = CR.el("div", {});
    main.append(root);
    const render = async () => {
      let runs;
      try { runs = await Promise.all(names.map(n => CR.json("/api/runs/" + encodeURIComponent(n).replace(/%2F/g, "/")))); } catch (e) { root.replaceChildren(CR.el("div", {class: "err"}, e.message)); return; }
      const charts = Runs.curves(runs);
      const table = CR.el("table", {}, CR.el("tr", {}, ["run", "dataset", "model", "status", "epochs", "test/val loss", "test/val accuracy"].map(h => CR.el("th", {}, h))),
        runs.map((r, i) => { const m = r.final || {}; return CR.el("tr", {}, CR.el("td", {}, CR.el("i", {style: `display:inline-block;width:12px;height:12px;margin-right:6px;background:${CR.COLORS[i % CR.COLORS.length]}`}), CR.el("a", {href: "/runs/" + r.name}, r.name)),
          CR.el("td", {}, r.dataset), CR.el("td", {}, r.model), CR.el("td", {}, r.status), CR.el("td", {class: "num"}, r.history.length),
          CR.el("td", {class: "num"}, CR.fmt(m.test_loss ?? m.val_loss)), CR.el("td", {class: "num"}, m.test_accuracy !== undefined ? (100 * m.test_accuracy).toFixed(2) + "%" : CR.fmt(m.test_r2))); }));
      root.replaceChildren(CR.el("div", {class: "card"}, CR.el("h1", {}, `Comparing ${runs.length} runs`), table), CR.el("div", {class: "grid2"}, charts.map(c => c[0])));
      charts.forEach(c => c[1]());
    };
    render();
    const es = Runs.listen(d => { if (d.changed.some(n => names.includes(n))) render(); });
    return {leave() { es.close(); }};
  },
};
