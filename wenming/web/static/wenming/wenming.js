// Wenming's own script: character counters for notes (说明 ≤ 500 字), counted as you type.
(function () {
  function count(area) {
    var counter = area.parentNode.querySelector(".counter");
    if (!counter) return;
    var max = parseInt(area.getAttribute("maxlength") || "500", 10);
    var n = Array.from(area.value).length;
    counter.textContent = n + "/" + max + "字";
    counter.classList.toggle("error", n > max);
  }
  function init(root) {
    root.querySelectorAll("textarea[data-counter]").forEach(count);
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("textarea[data-counter]")) count(e.target);
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
