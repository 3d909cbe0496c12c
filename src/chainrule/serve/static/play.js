"use strict";
// The playground: settings, play/pause/step/reset, the network with each neuron's output over the plane,
// the decision surface with the data, losses; a toggle shows the gradients ∂L/∂w on the lines instead of w.
const ORANGE = [230, 120, 40], BLUE = [33, 102, 172], WHITE = [247, 247, 247];
const CLASS_RGB = [[230, 120, 40], [33, 102, 172], [42, 157, 84], [155, 93, 229], [231, 57, 70], [108, 117, 125]];

function b64bytes(s) { const bin = atob(s), out = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return out; }
function mix(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]; }
function diverging(v) { return v < 0 ? mix(WHITE, ORANGE, Math.min(1, -v)) : mix(WHITE, BLUE, Math.min(1, v)); }  // v in [-1, 1]

const SETTINGS = [
  ["dataset", "select", ["moons", "circles", "spirals", "xor", "surface", "custom"], "dataset"],
  ["hidden", "text", null, "hidden layers (neurons each, e.g. 8,8)"],
  ["activation", "select", ["tanh", "relu", "sigmoid", "leaky-relu", "gelu", "elu", "silu"], "activation"],
  ["loss", "select", ["auto", "cross-entropy", "mse", "l1", "huber"], "loss"],
  ["optimizer", "select", ["adam", "adamw", "sgd", "momentum", "rmsprop"], "optimizer"],
  ["lr", "number", "any", "learning rate"],
  ["schedule", "select", ["none", "warmup-cosine", "cosine", "step"], "learning-rate schedule"],
  ["epochs", "number", "1", "schedule length (epochs)"],
  ["weight_decay", "number", "any", "weight decay"],
  ["dropout", "number", "any", "dropout"],
  ["batch_size", "number", "1", "batch size"],
  ["noise", "number", "any", "noise"],
  ["test", "number", "any", "test fraction"],
  ["n_samples", "number", "1", "samples"],
  ["steps_per_tick", "number", "1", "steps per update"],
];

const Play = {
  id: null, data: null, snap: null, settings: null, gradients: false, history: [], es: null, drawPending: false, points: null,

  show(main) {
    const P = Play;
    P.settings = P.settings || {dataset: "moons", hidden: [8, 8], activation: "tanh", loss: "auto", optimizer: "adam", lr: 0.03, schedule: "none",
      epochs: 200, weight_decay: 0, dropout: 0, batch_size: 32, noise: 0.15, test: 0.3, n_samples: 600, steps_per_tick: 4};
    const controls = CR.el("div", {class: "card controls"}, CR.el("h2", {}, "Settings"),
      SETTINGS.map(([key, kind, opt, label]) => {
        const v = P.settings[key];
        const input = kind === "select" ? CR.el("select", {id: "set-" + key}, opt.map(o => { const e = CR.el("option", {value: o}, o); if (o === v) e.selected = true; return e; }))
          : CR.el("input", {id: "set-" + key, type: kind, step: opt, value: Array.isArray(v) ? v.join(",") : v});
        input.addEventListener("change", () => P.changed(key, input));
        return [CR.el("label", {for: "set-" + key}, label), input];
      }),
      CR.el("p", {class: "muted", id: "custom-help", hidden: ""}, "custom: click the plane to add a class-0 point, shift-click for class 1, alt-click removes the nearest point."));
    const buttons = CR.el("div", {class: "buttons"},
      CR.el("button", {id: "play", class: "primary", onclick: () => P.act(P.snap && P.snap.playing ? "pause" : "play")}, "▶ Play"),
      CR.el("button", {id: "step", onclick: () => P.act("step")}, "Step"),
      CR.el("button", {id: "reset", onclick: () => P.reset()}, "Reset"),
      CR.el("label", {class: "toggle"}, CR.el("input", {type: "checkbox", id: "grad-toggle", onchange: e => { P.gradients = e.target.checked; P.draw(); }}), " show gradients ∂L/∂w"));
    const net = CR.el("div", {class: "card"}, buttons, CR.el("div", {id: "error", class: "err", hidden: ""}), CR.el("canvas", {id: "net"}),
      CR.el("p", {class: "muted", id: "net-legend"}, ""));
    const side = CR.el("div", {},
      CR.el("div", {class: "card"}, CR.el("canvas", {id: "boundary"}),
        CR.el("div", {class: "stats"}, ...[["step", "stat-step"], ["epoch", "epoch"], ["train loss", "train-loss"], ["test loss", "test-loss"], ["test accuracy", "acc"], ["learning rate", "lr"]]
          .flatMap(([l, id]) => [CR.el("span", {class: "muted"}, l), CR.el("b", {id}, "–")]))),
      CR.el("div", {class: "card"}, CR.el("h2", {}, "loss"), CR.el("canvas", {class: "chart", id: "loss-chart", style: "height:180px"}),
        CR.legend([{name: "train", color: CR.COLORS[0]}, {name: "test", color: CR.COLORS[1]}])),
      CR.el("div", {class: "card exports"}, CR.el("h2", {}, "Export"),
        CR.el("a", {id: "export-checkpoint", download: "checkpoint.safetensors"}, "checkpoint (chainrule evaluate)"),
        CR.el("a", {id: "export-script", download: ""}, "Python script"), CR.el("a", {id: "export-svg", download: ""}, "network SVG"),
        CR.el("a", {id: "export-data", download: "points.csv", hidden: ""}, "points.csv"),
        CR.el("p", {class: "muted"}, "Put checkpoint.safetensors in a folder and run chainrule evaluate FOLDER.")));
    main.append(CR.el("div", {class: "play"}, controls, net, side));
    document.getElementById("boundary").addEventListener("click", e => P.click(e));
    P.onresize = () => P.draw();
    window.addEventListener("resize", P.onresize);
    P.unload = () => { if (P.id) fetch("/api/play/" + P.id, {method: "DELETE", keepalive: true}); };
    window.addEventListener("pagehide", P.unload);
    P.ready = P.start();
    return {leave() { P.stop(); window.removeEventListener("resize", P.onresize); window.removeEventListener("pagehide", P.unload); }};
  },

  async start() {
    const P = this;
    try {
      const r = await CR.post("/api/play", {settings: P.request()});
      P.id = r.id; P.accept(r); document.body.dataset.play = r.id;
      for (const what of ["checkpoint", "script", "svg", "data"]) document.getElementById("export-" + what).href = `/api/play/${P.id}/export/${what}`;
      P.es = new EventSource(`/api/play/${P.id}/events`);
      P.es.addEventListener("snapshot", e => P.receive(JSON.parse(e.data)));
      P.es.onerror = () => { if (P.es && P.es.readyState === EventSource.CLOSED) CR.toast("The connection to the server was lost; reload the page."); };
    } catch (e) { P.showError(e.message); }
  },

  stop() { this.busy = null; delete document.body.dataset.play; if (this.es) this.es.close(); this.es = null; if (this.id) fetch("/api/play/" + this.id, {method: "DELETE", keepalive: true}).catch(() => {}); this.id = null; },

  request() { const s = {...this.settings}; if (s.dataset === "custom") s.points = this.points; return s; },

  accept(r) {
    this.data = r.data; this.history = []; this.snap = r.snapshot;
    document.getElementById("export-data").hidden = !["surface", "custom"].includes(r.data.params.dataset);
    document.getElementById("custom-help").hidden = r.data.params.dataset !== "custom";
    this.showError(null); this.draw();
  },

  receive(s) {
    if (!this.data || s.build !== this.data.build) return;  // a snapshot of the model before a reset
    if (s.history) this.history = s.history.slice();
    else if (s.train_loss !== null && s.train_loss !== undefined && (!this.history.length || this.history[this.history.length - 1].step !== s.step)) {
      this.history.push({step: s.step, epoch: s.epoch, train_loss: s.train_loss, test_loss: s.test_loss});
      if (this.history.length > 4000) this.history = this.history.filter((_, i) => i % 2 === 0);
    }
    if (s.step === 0) this.history = [];
    this.snap = s;
    if (s.error || this.trainingError) { this.trainingError = !!s.error; this.showError(s.error); }  // settings errors stay
    if (!this.drawPending) { this.drawPending = true; requestAnimationFrame(() => { this.drawPending = false; this.draw(); }); }
  },

  showError(msg, then) {
    const e = document.getElementById("error"); if (!e) return;
    e.hidden = !msg; e.textContent = msg ? `${msg} ${then || "Press Reset (or change a setting) to start again."}` : "";
  },

  revert() {  // a refused setting: show (and keep) the settings of the model that is still there
    if (!this.data) return;
    const {points, grid, seed, ...kept} = this.data.params;
    this.settings = {...this.settings, ...kept};
    for (const [key] of SETTINGS) {
      const input = document.getElementById("set-" + key), v = this.settings[key];
      if (input) input.value = Array.isArray(v) ? v.join(",") : v;
    }
  },

  // requests to the playground go one after the other, in the order of the user's actions
  queue(task) { const run = () => task(); this.busy = (this.busy || this.ready || Promise.resolve()).then(run, run); return this.busy; },

  act(action) {
    return this.queue(async () => {
      if (!this.id) return;
      try { const r = await CR.post(`/api/play/${this.id}`, {action}); if (this.snap) { this.snap.playing = r.playing; this.drawButtons(); } }
      catch (e) { this.showError(e.message); }
    });
  },

  reset() {
    return this.queue(async () => {
      if (!this.id) return this.start();
      try { const r = await CR.post(`/api/play/${this.id}`, {action: "reset", settings: this.request()}); this.accept(r); }
      catch (e) { this.revert(); this.showError(e.message, "The settings are back to those of the current model."); }
    });
  },

  changed(key, input) {
    let v = input.value;
    if (key === "hidden") v = v.trim() === "" ? [] : v.split(",").map(t => Number(t.trim()));
    else if (input.type === "number") v = Number(v);
    if (key === "dataset" && v === "custom" && !this.points && this.data) {
      const two = this.data.classes === 2;  // start from the current points, which the user then edits
      this.points = this.data.train.map(p => [p[0], p[1], this.data.task === "regression" ? (p[2] > 0 ? 1 : 0) : (two ? p[2] : (p[2] > 0 ? 1 : 0))]);
    }
    this.settings[key] = v;
    this.reset();
  },

  click(e) {
    if (!this.data || this.settings.dataset !== "custom") return;
    const c = e.target, r = c.getBoundingClientRect(), [x0, x1, y0, y1] = this.data.bounds;
    const x = x0 + (e.clientX - r.left) / r.width * (x1 - x0), y = y1 - (e.clientY - r.top) / r.height * (y1 - y0);
    this.points = (this.data.train.concat(this.data.test)).map(p => [p[0], p[1], p[2]]);
    if (e.altKey) {
      let best = -1, bd = Infinity;
      this.points.forEach((p, i) => { const d = (p[0] - x) ** 2 + (p[1] - y) ** 2; if (d < bd) { bd = d; best = i; } });
      if (best >= 0) this.points.splice(best, 1);
    } else this.points.push([+x.toFixed(4), +y.toFixed(4), e.shiftKey ? 1 : 0]);
    this.reset();
  },

  drawButtons() {
    const b = document.getElementById("play"); if (!b || !this.snap) return;
    b.textContent = this.snap.playing ? "❚❚ Pause" : "▶ Play";
  },

  draw() {
    if (!this.snap || !this.data || !document.getElementById("net")) return;
    const s = this.snap, d = this.data;
    this.drawButtons();
    const cls = d.task === "classification";
    const set = (id, v) => { document.getElementById(id).textContent = v; };
    set("stat-step", s.step); set("epoch", CR.fmt(s.epoch)); set("train-loss", CR.fmt(s.train_loss)); set("test-loss", CR.fmt(s.test_loss));
    set("acc", cls ? (100 * s.test_accuracy).toFixed(1) + "%" : "R² " + CR.fmt(s.test_r2)); set("lr", CR.fmt(s.lr));
    this.drawBoundary(); this.drawNet();
    CR.chart(document.getElementById("loss-chart"), [
      {name: "train", color: CR.COLORS[0], points: this.history.map(h => [h.epoch, h.train_loss])},
      {name: "test", color: CR.COLORS[1], points: this.history.map(h => [h.epoch, h.test_loss])}], {logy: true, xlabel: "epoch", empty: "press play"});
  },

  // RGB of the output surface value at byte b (0..255)
  surfaceColor(b) {
    const d = this.data, [lo, hi] = this.snap.surface_range, v = lo + (hi - lo) * b / 255;
    if (d.task === "regression") return diverging(0.85 * v);
    if (d.classes === 2) return diverging(0.85 * (2 * v - 1));
    const k = Math.min(d.classes - 1, Math.floor(v)), conf = v - k;
    return mix(WHITE, CLASS_RGB[k % CLASS_RGB.length], Math.max(0, (conf - 1 / d.classes) / (1 - 1 / d.classes)) * 0.85 + 0.15);
  },

  image(bytes, n, color) {
    const c = document.createElement("canvas"); c.width = n; c.height = n;
    const g = c.getContext("2d"), img = g.createImageData(n, n);
    for (let i = 0; i < n * n; i++) { const rgb = color(bytes[i]); img.data[4 * i] = rgb[0]; img.data[4 * i + 1] = rgb[1]; img.data[4 * i + 2] = rgb[2]; img.data[4 * i + 3] = 255; }
    g.putImageData(img, 0, 0); return c;
  },

  drawBoundary() {
    const c = document.getElementById("boundary"), s = this.snap, d = this.data;
    const dpr = window.devicePixelRatio || 1, w = c.clientWidth || 300;
    c.width = w * dpr; c.height = w * dpr;
    const g = c.getContext("2d"); g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const img = this.image(b64bytes(s.surface), s.grid, b => this.surfaceColor(b));
    g.imageSmoothingEnabled = true; g.drawImage(img, 0, 0, w, w);
    const [x0, x1, y0, y1] = d.bounds, X = x => (x - x0) / (x1 - x0) * w, Y = y => (y1 - y) / (y1 - y0) * w;
    const ptColor = v => d.task === "regression" ? diverging(Math.max(-1, Math.min(1, v / (d.y_range || 1)))) : (d.classes === 2 ? (v ? BLUE : ORANGE) : CLASS_RGB[v % CLASS_RGB.length]);
    const dot = (p, test) => {
      const rgb = ptColor(p[2]); g.fillStyle = `rgb(${rgb.map(Math.round).join(",")})`;
      g.beginPath(); g.arc(X(p[0]), Y(p[1]), test ? 4 : 3, 0, 7); g.fill();
      g.lineWidth = test ? 1.6 : 0.8; g.strokeStyle = test ? "#111" : "#fff"; g.stroke();
    };
    d.train.forEach(p => dot(p, false)); d.test.forEach(p => dot(p, true));
    g.fillStyle = "rgba(255,255,255,.8)"; g.fillRect(6, w - 22, 190, 16); g.fillStyle = "#333"; g.font = "11px system-ui";
    g.fillText("train ○ white rim · test ● black rim", 10, w - 10);
  },

  drawNet() {
    const c = document.getElementById("net"), s = this.snap, d = this.data;
    const dpr = window.devicePixelRatio || 1, w = c.clientWidth || 500, h = c.clientHeight || 400;
    c.width = w * dpr; c.height = h * dpr;
    const g = c.getContext("2d"); g.setTransform(dpr, 0, 0, dpr, 0, 0); g.clearRect(0, 0, w, h);
    const sizes = d.layers.slice(); if (d.task === "classification" && d.classes === 2) sizes[sizes.length - 1] = 2;
    const cols = sizes.length, maxn = Math.max(...sizes);
    const R = Math.max(9, Math.min(26, (h - 20) / maxn / 2 - 4, (w / cols) / 4));
    const pos = sizes.map((n, l) => Array.from({length: n}, (_, j) => [30 + R + l * (w - 60 - 2 * R) / Math.max(1, cols - 1), h / 2 + (j - (n - 1) / 2) * Math.min(2 * R + 10, (h - 2 * R - 10) / Math.max(1, n - 1))]));
    // lines: weights (or gradients), width and opacity by magnitude relative to the largest, colour by sign
    const mats = s.layers.map(L => this.gradients ? L.gw : L.w);
    const maxabs = Math.max(1e-12, ...mats.filter(Boolean).flatMap(m => m.flat().map(Math.abs)));
    mats.forEach((m, l) => {
      if (!m) return;
      m.forEach((row, j) => row.forEach((v, i) => {
        const a = Math.abs(v) / maxabs, [p, q] = [pos[l][i], pos[l + 1][j]]; if (!p || !q) return;
        const rgb = v >= 0 ? BLUE : ORANGE;
        g.strokeStyle = `rgba(${rgb.join(",")},${0.15 + 0.85 * a})`; g.lineWidth = 0.5 + 5.5 * a;
        g.beginPath(); g.moveTo(p[0], p[1]); g.lineTo(q[0], q[1]); g.stroke();
      }));
    });
    // neurons: inputs show x1 and x2 over the plane, hidden neurons their output, the output the surface
    const [x0, x1, y0, y1] = d.bounds, n = s.neuron_grid;
    const inputs = [0, 1].map(k => { const ext = Math.max(Math.abs(k ? y0 : x0), Math.abs(k ? y1 : x1)), b = new Uint8Array(n * n);
      for (let r = 0; r < n; r++) for (let q = 0; q < n; q++) { const v = k ? y1 + (y0 - y1) * r / (n - 1) : x0 + (x1 - x0) * q / (n - 1); b[r * n + q] = Math.round((v / ext + 1) * 127.5); } return b; });
    pos.forEach((col, l) => col.forEach(([x, y], j) => {
      let img = null;
      if (l === 0) img = this.image(inputs[j], n, b => diverging(b / 127.5 - 1));
      else if (l < cols - 1 && s.neurons[l - 1]) img = this.image(b64bytes(s.neurons[l - 1].values[j]), n, b => diverging(b / 127.5 - 1));
      else if (l === cols - 1 && s.outputs[j]) img = this.image(b64bytes(s.outputs[j]), n, b => diverging(b / 127.5 - 1));
      g.save(); g.beginPath(); g.arc(x, y, R, 0, 7); g.closePath(); g.fillStyle = "#fff"; g.fill(); g.clip();
      if (img) g.drawImage(img, x - R, y - R, 2 * R, 2 * R);
      g.restore();
      g.lineWidth = 1.5; g.strokeStyle = "#444"; g.beginPath(); g.arc(x, y, R, 0, 7); g.stroke();
    }));
    g.fillStyle = "#555"; g.font = "12px system-ui";
    g.fillText("x₁", pos[0][0][0] - R - 18, pos[0][0][1] + 4); g.fillText("x₂", pos[0][1][0] - R - 18, pos[0][1][1] + 4);
    const legend = document.getElementById("net-legend");
    legend.textContent = (this.gradients ? `lines: gradients ∂L/∂w of the last step (largest |∂L/∂w| ${CR.fmt(maxabs)})` : `lines: weights w (largest |w| ${CR.fmt(maxabs)})`) +
      " — blue positive, orange negative, width ∝ magnitude; each circle shows that neuron's output over the input plane" +
      (d.task === "classification" ? " (an output: its class probability, blue 1, white ½, orange 0)." : ".");
  },
};
