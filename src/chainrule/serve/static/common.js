"use strict";
// Shared helpers of the chainrule serve page: fetching JSON, toasts, line charts on <canvas>, routing.
const CR = {
  async json(url, opts) {
    const r = await fetch(url, opts);
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) throw new Error((body && body.error) || `${r.status} ${r.statusText}`);
    return body;
  },
  post(url, obj) {
    return CR.json(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(obj || {})});
  },
  toast(msg) {
    const t = document.getElementById("toast");
    t.textContent = msg; t.hidden = false;
    clearTimeout(CR._toast); CR._toast = setTimeout(() => { t.hidden = true; }, 6000);
  },
  el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null) e.setAttribute(k, v);
    }
    for (const k of kids.flat(Infinity)) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
    return e;
  },
  fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    if (typeof v !== "number") return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : (a >= 100 ? v.toFixed(1) : v.toPrecision(4));
  },
  COLORS: ["#1d6fb8", "#e76f51", "#2a9d8f", "#9b5de5", "#f4a261", "#6c757d", "#e63946", "#457b9d"],
  // series: [{name, color, points: [[x, y], ...], dash}] drawn as lines with axes, optional log-y
  chart(canvas, series, opts) {
    opts = opts || {};
    const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 400, h = canvas.clientHeight || 240;
    canvas.width = w * dpr; canvas.height = h * dpr;
    const g = canvas.getContext("2d"); g.setTransform(dpr, 0, 0, dpr, 0, 0); g.clearRect(0, 0, w, h);
    const pts = series.flatMap(s => s.points).filter(p => Number.isFinite(p[1]) && (!opts.logy || p[1] > 0));
    const L = 52, R = 10, T = 10, B = 28;
    g.font = "12px system-ui, sans-serif"; g.fillStyle = "#66737f";
    if (!pts.length) { g.fillText(opts.empty || "no data yet", L, h / 2); return; }
    const f = opts.logy ? Math.log10 : (v => v);
    let x0 = Math.min(...pts.map(p => p[0])), x1 = Math.max(...pts.map(p => p[0]));
    let y0 = Math.min(...pts.map(p => f(p[1]))), y1 = Math.max(...pts.map(p => f(p[1])));
    if (x1 === x0) x1 = x0 + 1; if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
    const allPos = pts.every(p => p[1] >= 0), pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
    if (!opts.logy && allPos && y0 < 0) y0 = 0;
    const tick = v => { const a = Math.abs(v); return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(3))); };
    const X = x => L + (x - x0) / (x1 - x0) * (w - L - R), Y = y => T + (1 - (f(y) - y0) / (y1 - y0)) * (h - T - B);
    g.strokeStyle = "#e4e8ec"; g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const yv = y0 + (y1 - y0) * i / 4, yy = T + (1 - i / 4) * (h - T - B);
      g.beginPath(); g.moveTo(L, yy); g.lineTo(w - R, yy); g.stroke();
      g.fillText(tick(opts.logy ? 10 ** yv : yv), 2, yy + 4);
    }
    for (let i = 0; i <= 4; i++) {
      const xv = x0 + (x1 - x0) * i / 4;
      const label = tick(x1 - x0 >= 8 ? Math.round(xv) : xv);
      g.fillText(label, Math.min(X(xv) - g.measureText(label).width / 2, w - R - g.measureText(label).width), h - 8);
    }
    if (opts.xlabel) g.fillText(opts.xlabel, L + 4, h - 8 - 14);
    for (const s of series) {
      g.strokeStyle = s.color; g.lineWidth = 2; g.setLineDash(s.dash ? [5, 4] : []); g.beginPath();
      let first = true;
      for (const p of s.points) {
        if (!Number.isFinite(p[1]) || (opts.logy && p[1] <= 0)) { first = true; continue; }
        if (first) g.moveTo(X(p[0]), Y(p[1])); else g.lineTo(X(p[0]), Y(p[1]));
        first = false;
      }
      g.stroke();
      if (s.points.length === 1) { g.fillStyle = s.color; g.beginPath(); g.arc(X(s.points[0][0]), Y(s.points[0][1]), 3, 0, 7); g.fill(); g.fillStyle = "#66737f"; }
    }
    g.setLineDash([]);
  },
  legend(series) {
    return CR.el("div", {class: "legend"}, series.map(s => CR.el("span", {}, CR.el("i", {style: s.dash ? `border-top:3px dashed ${s.color};height:0` : `background:${s.color}`}), s.name)));
  },
};

const Router = {
  current: null,
  go(path, push) {
    if (push) history.pushState({}, "", path);
    if (Router.current && Router.current.leave) Router.current.leave();
    const main = document.getElementById("main"); main.replaceChildren();
    const p = location.pathname;
    document.querySelectorAll("[data-nav]").forEach(a => a.classList.toggle("on", p.startsWith("/" + a.dataset.nav) || (p === "/" && a.dataset.nav === "runs") || (p === "/compare" && a.dataset.nav === "runs")));
    if (p.startsWith("/play")) Router.current = Play.show(main);
    else if (p.startsWith("/runs/")) Router.current = Runs.showRun(main, decodeURIComponent(p.slice(6)));
    else if (p === "/compare") Router.current = Runs.showCompare(main, new URLSearchParams(location.search).getAll("run"));
    else Router.current = Runs.showList(main);
  },
};

window.addEventListener("popstate", () => Router.go(location.pathname, false));
document.addEventListener("click", e => {
  const a = e.target.closest("a");
  if (a && a.origin === location.origin && !a.hasAttribute("download") && !a.target && !e.ctrlKey && !e.metaKey) {
    e.preventDefault(); Router.go(a.pathname + a.search, true);
  }
});
window.addEventListener("DOMContentLoaded", () => Router.go(location.pathname, false));
