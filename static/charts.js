// Line charts of dashboard widgets, drawn with uPlot from the JSON in `data-chart` (set by
// views/widgets/line.tsx): one line per group, a crosshair tooltip with exact values and the
// bucket's time in the product's zone, colours from the CSS custom properties (so dark mode and
// the series palette live in app.css), redrawn on resize and on a theme change.
(function () {
  "use strict";
  var FALLBACK = ["#4f46e5", "#0891b2", "#d97706", "#db2777", "#16a34a", "#7c3aed", "#0d9488", "#ea580c"];
  var live = []; // { el, plot, observer }
  var exact = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
  var compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

  function cssVar(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function theme() {
    var palette = [];
    for (var i = 0; i < 8; i++) palette.push(cssVar("--series-" + (i + 1), FALLBACK[i]));
    return { palette: palette, muted: cssVar("--muted", "#6b7280"), grid: cssVar("--border", "#e4e7ec"), text: cssVar("--text", "#111827") };
  }

  // Bucket labels at the chart's granularity, in the product's zone (not the viewer's).
  function timeFormat(granularity, zone) {
    var o = { timeZone: zone };
    if (granularity === "month") { o.month = "short"; o.year = "numeric"; }
    else if (granularity === "day" || granularity === "week") { o.weekday = "short"; o.day = "numeric"; o.month = "short"; o.year = "numeric"; }
    else { o.day = "numeric"; o.month = "short"; o.hour = "2-digit"; o.minute = "2-digit"; o.hourCycle = "h23"; }
    var f = new Intl.DateTimeFormat("en-GB", o);
    return function (sec) {
      var s = f.format(new Date(sec * 1000));
      return granularity === "week" ? "Week of " + s : s;
    };
  }

  // Tick steps (seconds) uPlot may pick for the time axis, never finer than one bucket: a tick
  // between two daily points would repeat its day's label, and one between hourly points would
  // name a time no bucket starts at. uPlot's splitter treats 30 and 365 days as calendar months
  // and years, so those ticks land on the 1st.
  var M = 60, H = 3600, D = 86400, MO = 30 * D, Y = 365 * D;
  var STEPS = [M, 5 * M, 10 * M, 15 * M, 30 * M, H, 2 * H, 3 * H, 4 * H, 6 * H, 8 * H, 12 * H, D, 2 * D, 3 * D, 4 * D, 5 * D, 7 * D, 10 * D, 14 * D, 15 * D, MO, 2 * MO, 3 * MO, 4 * MO, 6 * MO, Y, 2 * Y, 5 * Y, 10 * Y];
  var BUCKET = { minute: M, hour: H, day: D, week: 7 * D, month: MO };
  function tickSteps(granularity) {
    var min = BUCKET[granularity] || M;
    // Weekly points get whole weeks between ticks (then months), so ticks keep the points' weekday.
    return STEPS.filter(function (s) { return s >= min && (granularity !== "week" || s % min === 0 || s >= MO); });
  }

  // Axis ticks in the product's zone, named by the step between them: "14:00" within a day (the
  // date, "8 Nov", at midnight), "8 Nov" for days, "Nov" for months with the year on the first
  // tick and wherever it changes ("Nov 2026", "Dec", "Jan 2027"), "2026" for years.
  function tickFormat(zone) {
    var day = new Intl.DateTimeFormat("en-GB", { timeZone: zone, day: "numeric", month: "short" });
    var monthYear = new Intl.DateTimeFormat("en-GB", { timeZone: zone, month: "short", year: "numeric" });
    var month = new Intl.DateTimeFormat("en-GB", { timeZone: zone, month: "short" });
    var year = new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric" });
    var clock = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    return function (u, splits, axisIdx, space, incr) {
      var lastYear = null;
      return splits.map(function (sec) {
        var d = new Date(sec * 1000);
        if (incr >= Y) return year.format(d);
        if (incr >= MO) {
          var y = year.format(d);
          var label = y === lastYear ? month.format(d) : monthYear.format(d);
          lastYear = y;
          return label;
        }
        if (incr >= D) return day.format(d);
        var hm = clock.format(d);
        return hm === "00:00" ? day.format(d) : hm;
      });
    };
  }

  function tooltipPlugin(data) {
    var tip;
    var label = timeFormat(data.granularity, data.timezone);
    return {
      hooks: {
        init: function (u) {
          tip = document.createElement("div");
          tip.className = "chart-tooltip";
          tip.hidden = true;
          u.over.appendChild(tip);
          u.over.addEventListener("mouseleave", function () { tip.hidden = true; });
        },
        setCursor: function (u) {
          var i = u.cursor.idx;
          if (i == null || u.cursor.left < 0) { tip.hidden = true; return; }
          // Built with textContent: labels are tag values people send, never markup.
          tip.replaceChildren();
          var head = document.createElement("div");
          head.className = "chart-tooltip-time";
          head.textContent = label(u.data[0][i]);
          tip.appendChild(head);
          for (var s = 1; s < u.series.length; s++) {
            var row = document.createElement("div");
            row.className = "chart-tooltip-row";
            var sw = document.createElement("span");
            sw.className = "chart-tooltip-swatch series-" + (((s - 1) % 8) + 1);
            var name = document.createElement("span");
            name.className = "chart-tooltip-name";
            name.textContent = u.series[s].label;
            var val = document.createElement("span");
            val.className = "chart-tooltip-value";
            var v = u.data[s][i];
            val.textContent = v == null ? "—" : exact.format(v);
            row.append(sw, name, val);
            tip.appendChild(row);
          }
          tip.hidden = false;
          // Positions through the CSSOM (not a style attribute), which the strict CSP allows.
          var left = u.cursor.left;
          var width = tip.offsetWidth;
          var room = u.over.clientWidth;
          tip.style.left = Math.max(0, Math.min(left + 12, room - width)) + "px";
          if (left + 12 + width > room && left - 12 - width >= 0) tip.style.left = left - 12 - width + "px";
          tip.style.top = Math.max(0, (u.cursor.top || 0) - tip.offsetHeight - 8) + "px";
        },
      },
    };
  }

  function build(el) {
    var data;
    try {
      data = JSON.parse(el.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    var t = theme();
    var colors = data.series.map(function (_, i) { return t.palette[i % t.palette.length]; });
    var axis = {
      stroke: t.muted,
      grid: { stroke: t.grid, width: 1 },
      ticks: { show: false },
      font: "12px Inter, system-ui, sans-serif",
    };
    // Whole-number data (counts, sums of counts) gets whole-number ticks, never "0.3".
    var whole = data.series.every(function (s) { return s.values.every(function (v) { return v == null || Math.floor(v) === v; }); });
    var incrs = [];
    for (var p = 0; p <= 12; p++) [1, 2, 5].forEach(function (m) { incrs.push(m * Math.pow(10, p)); });
    // One bucket wide when there is a single point, so it sits in the middle rather than on an edge.
    var step = data.x.length > 1 ? data.x[1] - data.x[0] : 3600;
    var yAxis = Object.assign({}, axis, { size: 48, values: function (u, vals) { return vals.map(function (v) { return compact.format(v); }); } });
    if (whole) yAxis.incrs = incrs;
    var opts = {
      width: Math.max(120, el.clientWidth),
      height: Math.max(120, el.clientHeight || 220),
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), data.timezone); },
      legend: { show: false },
      cursor: { y: false, drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: {
          time: true,
          range: function (u, min, max) { return min === max ? [min - step, max + step] : [min, max]; },
        },
        y: {
          range: function (u, min, max) {
            if (min == null || max == null) return [0, 1];
            var lo = Math.min(0, min);
            var hi = max <= lo ? lo + 1 : max + (max - lo) * 0.08;
            return [lo, hi];
          },
        },
      },
      axes: [
        Object.assign({}, axis, { space: 56, size: 32, incrs: tickSteps(data.granularity), values: tickFormat(data.timezone) }),
        yAxis,
      ],
      series: [{}].concat(
        data.series.map(function (s, i) {
          return { label: s.label, stroke: colors[i], width: 2, spanGaps: false, points: { fill: colors[i] } };
        }),
      ),
      plugins: [tooltipPlugin(data)],
    };
    var plot = new uPlot(opts, [data.x].concat(data.series.map(function (s) { return s.values; })), el);
    var observer = new ResizeObserver(function () {
      if (!el.isConnected) return;
      var w = Math.max(120, el.clientWidth);
      if (w !== plot.width) plot.setSize({ width: w, height: plot.height });
    });
    observer.observe(el);
    el.setAttribute("data-chart-ready", "1");
    live.push({ el: el, plot: plot, observer: observer });
  }

  // Charts whose card was swapped out (refresh, edit, remove) are destroyed here.
  function prune() {
    live = live.filter(function (c) {
      if (c.el.isConnected) return true;
      c.observer.disconnect();
      c.plot.destroy();
      return false;
    });
  }

  function initIn(root) {
    prune();
    if (!window.uPlot || !root.querySelectorAll) return;
    var els = root.querySelectorAll("[data-chart]:not([data-chart-ready])");
    for (var i = 0; i < els.length; i++) build(els[i]);
  }

  function redrawAll() {
    prune();
    live.forEach(function (c) {
      c.observer.disconnect();
      c.plot.destroy();
      c.el.replaceChildren();
      c.el.removeAttribute("data-chart-ready");
    });
    live = [];
    initIn(document);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initIn(document);
    // Not htmx.onLoad: it waits for htmx's own DOMContentLoaded handler, which runs after this one
    // (this script is not deferred), so the listener it adds would miss this event for good.
    document.body.addEventListener("htmx:load", function (e) {
      initIn(e.detail.elt);
    });
    // The theme toggle sets data-theme on <html>; "system" follows the media query.
    new MutationObserver(redrawAll).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "class"] });
    if (window.matchMedia) window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redrawAll);
  });
})();
