// Draws every [data-plotly-src] element from the JSON of the <script type="application/json">
// element it names. Runs on page load and on every htmx swap (htmx.onLoad), so fragments that
// replace #results redraw their charts with Plotly.react (no inline scripts: CSP-friendly).
//
// Each spec says how tall its plotting area must be (plot_height). The legend sits below the
// plot and needs more rows on a narrow screen, so after each draw the figure is made taller or
// shorter until the plotting area itself has that height: the legend never eats the plot.
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  // A Chinese page (html lang="zh-hans") gets plotly's dates and toolbar in Chinese:
  // "2025年1月" on date axes instead of "Jan 2025". Registered once, before the first draw.
  var ZH_CN = {
    moduleType: "locale",
    name: "zh-CN",
    dictionary: {
      "Autoscale": "自动缩放", "Box Select": "矩形框选", "Download plot as a png": "下载图表为 PNG 格式",
      "Pan": "平移", "Reset axes": "重置轴", "Zoom": "缩放", "Zoom in": "放大", "Zoom out": "缩小",
      "Show closest data on hover": "悬停时显示最近的数据", "Compare data on hover": "悬停时比较数据",
      "Toggle Spike Lines": "切换辅助线", "Reset view": "重置视图", "Double-click to zoom back out": "双击恢复缩放"
    },
    format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      date: "%Y-%m-%d", year: "%Y年", month: "%Y年%b", dayMonth: "%b%-d日", dayMonthYear: "%Y年%b%-d日"
    }
  };
  var localeReady = false;

  function useLocale() {
    if (localeReady || typeof Plotly === "undefined") { return; }
    localeReady = true;
    if ((document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0) {
      Plotly.register(ZH_CN);
      config.locale = "zh-CN";
    }
  }

  function fitPlotHeight(el) {
    var target = Number(el.getAttribute("data-plot-height"));
    var full = el._fullLayout;
    if (!target || !full || !full._size) { return; }
    var missing = target - full._size.h;
    if (Math.abs(missing) > 1) {
      el.style.minHeight = "";
      Plotly.relayout(el, { height: Math.round(full.height + missing) });
    }
  }

  function drawOne(el) {
    var source = document.getElementById(el.getAttribute("data-plotly-src"));
    if (!source || typeof Plotly === "undefined") { return; }
    useLocale();
    var spec = JSON.parse(source.textContent);
    // Month axes read "2024年7月" in Chinese rather than "7月 2024".
    if (config.locale === "zh-CN" && spec.layout && spec.layout.xaxis) {
      ["tickformat", "hoverformat"].forEach(function (key) {
        if (spec.layout.xaxis[key] === "%b %Y") { spec.layout.xaxis[key] = "%Y年%b"; }
      });
    }
    el.setAttribute("data-plot-height", spec.plot_height || "");
    // Month labels need about 72 px each: fewer of them on a phone than on a desktop.
    var xaxis = spec.layout && spec.layout.xaxis;
    if (xaxis && xaxis.nticks && el.clientWidth) {
      xaxis.nticks = Math.max(2, Math.min(xaxis.nticks, Math.floor(el.clientWidth / 72)));
    }
    // Provider names beside horizontal bars: shorter on a phone so the bars keep their room
    // (the full name stays in the hover).
    var yaxis = spec.layout && spec.layout.yaxis;
    if (yaxis && yaxis.categoryarray && el.clientWidth && el.clientWidth < 420) {
      yaxis.tickmode = "array";
      yaxis.tickvals = yaxis.categoryarray;
      yaxis.ticktext = yaxis.categoryarray.map(function (label) {
        return label.length > 18 ? label.slice(0, 17).trim() + "…" : label;
      });
    }
    Plotly.react(el, spec.data || [], spec.layout || {}, config).then(function () {
      if (!el.hasAttribute("data-fit-bound")) {
        el.setAttribute("data-fit-bound", "");
        // After every redraw (window resize included) the legend may need other rows.
        el.on("plotly_afterplot", function () { fitPlotHeight(el); });
      }
      fitPlotHeight(el);
    });
  }

  function draw(root) {
    var nodes = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll("[data-plotly-src]")) : [];
    if (root.matches && root.matches("[data-plotly-src]")) { nodes.unshift(root); }
    nodes.forEach(function (el) {
      // A chart inside a closed <details> has no width yet: draw it when it opens.
      var closed = el.closest("details:not([open])");
      if (closed) {
        closed.addEventListener("toggle", function () { if (closed.open) { drawOne(el); } }, { once: true });
        return;
      }
      drawOne(el);
    });
  }

  if (window.htmx) {
    htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
})();
