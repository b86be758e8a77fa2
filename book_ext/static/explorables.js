/* Explorable figures of "Cross-Entropy, Derived" (xent._explorable writes them).
 * Every number comes from the JSON data that the notebook computed with xent;
 * this script only looks values up for the sliders' positions and draws them
 * as SVG. No network, no dependencies. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 360, H = 240, L = 48, R = 10, T = 24, B = 40;

  function el(tag, attrs, parent, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function fmt(v, f, missing) {
    if (v === null || v === undefined) return missing || "none";
    if (typeof v === "string") return v;
    var d = parseInt(f.slice(1), 10);
    if (f[0] === "f") return v.toFixed(d);
    if (f[0] === "e") return v.toExponential(d).replace(/e([+-])(\d)$/, function (m, sign, digit) {
      return "e" + sign + "0" + digit;
    });
    return String(v);
  }

  function isNum(v) { return typeof v === "number" && isFinite(v); }

  function linTicks(lo, hi) {
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 4)));
    var err = (hi - lo) / 4 / step;
    step *= err >= 5 ? 5 : err >= 2 ? 2 : 1;
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
      out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return out;
  }

  function logTicks(lo, hi) {
    var out = [], a = Math.ceil(Math.log10(lo)), b = Math.floor(Math.log10(hi));
    var every = Math.max(1, Math.ceil((b - a + 1) / 6));
    for (var e = a; e <= b; e += every) out.push(Math.pow(10, e));
    return out;
  }

  function tickText(t, log) {
    if (log) return "1e" + Math.round(Math.log10(t));
    return String(Math.round(t * 1000) / 1000);
  }

  function Figure(root) {
    var data = JSON.parse(root.querySelector("script.xe-data").textContent);
    var uid = root.id, pos = {}, len = {}, inputs = {};
    data.sliders.forEach(function (s) {
      len[s.id] = s.labels.length;
      var input = root.querySelector('input[data-slider="' + s.id + '"]');
      inputs[s.id] = input;
      pos[s.id] = parseInt(input.value, 10);
      input.addEventListener("input", function () {
        pos[s.id] = parseInt(input.value, 10);
        update();
      });
    });

    function get(name) {
      var f = data.fields[name], k = 0;
      if (!f) throw new Error("explorable " + uid + ": no field " + name);
      f.deps.forEach(function (d) { k = k * len[d] + pos[d]; });
      return f.table[data.indexes[f.index][k]];
    }

    var note = root.querySelector(".xe-note");   // for notebooks, where this script does not run
    if (note) note.parentNode.removeChild(note);
    var holder = root.querySelector(".xe-panels");
    var svgs = data.panels.map(function (p, i) {
      var box = document.createElement("div");
      box.className = "xe-panel";
      var svg = el("svg", {viewBox: "0 0 " + W + " " + H, "aria-hidden": "true",
                           focusable: "false"}, box);
      var legend = document.createElement("div");
      legend.className = "xe-legend";
      p.series.forEach(function (s) {
        if (!s.label) return;
        var item = document.createElement("span");
        var sw = document.createElement("i");
        sw.style.background = s.color;
        if (s.dash) { sw.className = "xe-dash"; sw.style.borderColor = s.color; }
        item.appendChild(sw);
        item.appendChild(document.createTextNode(s.label));
        legend.appendChild(item);
      });
      box.appendChild(legend);
      holder.appendChild(box);
      return {svg: svg, panel: p, clip: uid + "-clip-" + i};
    });

    function frame(svg, p, clipId, sx, sy, xt, yt) {
      var x0 = L, x1 = W - R, y0 = H - B, y1 = T;
      el("text", {x: W / 2, y: 14, "text-anchor": "middle", "class": "xe-ptitle"}, svg, p.title || "");
      var defs = el("defs", {}, svg), cp = el("clipPath", {id: clipId}, defs);
      el("rect", {x: x0, y: y1, width: x1 - x0, height: y0 - y1}, cp);
      xt.forEach(function (t) {
        var x = sx(t);
        el("line", {x1: x, x2: x, y1: y0, y2: y1, "class": "xe-grid"}, svg);
        el("text", {x: x, y: y0 + 13, "text-anchor": "middle"}, svg, tickText(t, false));
      });
      yt.forEach(function (t) {
        var y = sy(t);
        el("line", {x1: x0, x2: x1, y1: y, y2: y, "class": "xe-grid"}, svg);
        el("text", {x: x0 - 4, y: y + 4, "text-anchor": "end"}, svg, tickText(t, p.ylog));
      });
      el("rect", {x: x0, y: y1, width: x1 - x0, height: y0 - y1, "class": "xe-axes"}, svg);
      if (p.xlabel) el("text", {x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle"}, svg, p.xlabel);
      if (p.ylabel) el("text", {x: 11, y: (y0 + y1) / 2, "text-anchor": "middle",
                                transform: "rotate(-90 11 " + (y0 + y1) / 2 + ")"}, svg, p.ylabel);
      return el("g", {"clip-path": "url(#" + clipId + ")"}, svg);
    }

    function lines(svg, p, clipId) {
      var ylo = p.ylim[0], yhi = p.ylim[1], xlo = p.xlim[0], xhi = p.xlim[1];
      var ty = p.ylog ? Math.log10 : function (v) { return v; };
      var sx = function (v) { return L + (v - xlo) / (xhi - xlo) * (W - R - L); };
      var sy = function (v) { return H - B - (ty(v) - ty(ylo)) / (ty(yhi) - ty(ylo)) * (H - B - T); };
      var g = frame(svg, p, clipId, sx, sy, linTicks(xlo, xhi),
                    p.ylog ? logTicks(ylo, yhi) : linTicks(ylo, yhi));
      p.series.forEach(function (s) {
        if (s.band) {
          var b = get(s.band);
          if (isNum(b[0])) {
            el("rect", {x: sx(b[0]), y: T, width: Math.max(0, sx(Math.min(b[1], xhi)) - sx(b[0])),
                        height: H - B - T, fill: s.color, opacity: 0.18}, g);
          }
          return;
        }
        if (s.vline) {
          var v = get(s.vline);
          if (isNum(v)) el("line", {x1: sx(v), x2: sx(v), y1: T, y2: H - B, stroke: s.color,
                                    "stroke-width": 1.5, "stroke-dasharray": "4 3"}, g);
          return;
        }
        var xs = get(s.x), ys = get(s.y), d = "", pen = false;
        var upto = s.reveal ? Math.ceil(reveal * xs.length) : xs.length;
        for (var i = 0; i < upto; i++) {
          var ok = isNum(xs[i]) && isNum(ys[i]) && (!p.ylog || ys[i] > 0);
          if (!ok) { pen = false; continue; }
          var X = sx(xs[i]).toFixed(1), Y = sy(ys[i]).toFixed(1);
          if (s.marker) el("circle", {cx: X, cy: Y, r: 2.6, fill: s.color, opacity: 0.8}, g);
          else { d += (pen ? "L" : "M") + X + " " + Y; pen = true; }
        }
        if (d) el("path", {d: d, fill: "none", stroke: s.color, "stroke-width": 2,
                           "stroke-dasharray": s.dash ? "6 4" : "none"}, g);
      });
    }

    function bars(svg, p, clipId) {
      var ylo = p.ylim[0], yhi = p.ylim[1], n = p.labels.length, k = p.series.length;
      var band = (W - R - L) / n, bw = band * 0.8 / k;
      var sy = function (v) { return H - B - (v - ylo) / (yhi - ylo) * (H - B - T); };
      var g = frame(svg, p, clipId, function () { return 0; }, sy, [], linTicks(ylo, yhi));
      p.labels.forEach(function (lab, j) {
        el("text", {x: L + band * (j + 0.5), y: H - B + 14, "text-anchor": "middle"}, svg, lab);
      });
      el("line", {x1: L, x2: W - R, y1: sy(0), y2: sy(0), "class": "xe-zero"}, g);
      p.series.forEach(function (s, i) {
        get(s.y).forEach(function (v, j) {
          var x = L + band * j + band * 0.1 + bw * i, top = sy(Math.max(v, 0)), bot = sy(Math.min(v, 0));
          el("rect", {x: x, y: top, width: bw, height: Math.max(bot - top, 0.5), fill: s.color}, g);
          el("text", {x: x + bw / 2, y: v >= 0 ? top - 3 : bot + 11, "text-anchor": "middle",
                      "class": "xe-small"}, svg, v.toFixed(2));
        });
      });
    }

    function update() {
      data.sliders.forEach(function (s) {
        var label = s.labels[pos[s.id]];
        inputs[s.id].setAttribute("aria-valuetext", label);
        root.querySelector('output[data-for="' + s.id + '"]').textContent = label;
      });
      data.readouts.forEach(function (r) {
        root.querySelector('dd[data-field="' + r[0] + '"]').textContent = fmt(get(r[0]), r[2], r[3]);
      });
      svgs.forEach(function (o) {
        while (o.svg.firstChild) o.svg.removeChild(o.svg.firstChild);
        (o.panel.type === "bars" ? bars : lines)(o.svg, o.panel, o.clip);
      });
    }

    var reveal = 1, button = root.querySelector("button.xe-play");
    if (button) {
      button.addEventListener("click", function () {
        var t0 = null;
        button.disabled = true;
        function step(now) {
          if (t0 === null) t0 = now;
          reveal = Math.min(1, (now - t0) / 2500);
          update();
          if (reveal < 1) requestAnimationFrame(step);
          else { button.disabled = false; button.focus(); }
        }
        requestAnimationFrame(step);
      });
    }

    update();
    root.setAttribute("data-ready-at", performance.now().toFixed(1));
    root.setAttribute("data-ready", "true");
  }

  function start() {
    var roots = document.querySelectorAll("figure.xent-explorable");
    for (var i = 0; i < roots.length; i++) {
      var t0 = performance.now();
      Figure(roots[i]);
      roots[i].setAttribute("data-init-ms", (performance.now() - t0).toFixed(1));
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
