// Draw each dashboard chart from the JSON spec next to it, with plotly.js served by the product.
(function () {
  "use strict";
  var zh = {
    "Download plot as a png": "下载为图片",
    "Download plot": "下载图片",
    "Reset axes": "还原",
    "Autoscale": "自动缩放",
    "Zoom": "缩放",
    "Pan": "平移",
    "Zoom in": "放大",
    "Zoom out": "缩小",
    "Double-click to zoom back out": "双击还原",
    "Produced with Plotly.js": "由 Plotly.js 绘制",
    "Taking snapshot - this may take a few seconds": "正在生成图片,请稍候",
    "Snapshot succeeded": "图片已生成",
    "Sorry, there was a problem downloading your snapshot!": "抱歉,图片生成失败",
    "Click to enter Colorscale title": "",
    "Click to enter Plot title": "",
    "Click to enter X axis title": "",
    "Click to enter Y axis title": ""
  };
  function draw() {
    if (!window.Plotly) { return; }
    Plotly.register({ moduleType: "locale", name: "zh-CN", dictionary: zh, format: {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      shortDays: ["日", "一", "二", "三", "四", "五", "六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      date: "%Y-%m-%d", decimal: ".", thousands: ","
    } });
    document.querySelectorAll(".chart[data-spec]").forEach(function (el) {
      var source = document.getElementById(el.dataset.spec);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      Plotly.newPlot(el, spec.data, spec.layout, {
        locale: "zh-CN",
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"],
        toImageButtonOptions: { filename: el.getAttribute("aria-label") || "chart" }
      }).then(function () { el.dataset.drawn = "1"; });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
