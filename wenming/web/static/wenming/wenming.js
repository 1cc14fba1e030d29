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

// Behaviour declared in the markup, so that pages need no inline script (Content-Security-Policy):
//   <form data-confirm="…">      asks before submitting
//   <button data-confirm="…">    asks before its form is submitted
//   <select data-autosubmit>     submits its form when changed
//   <input data-check-all="name"> ticks or clears every checkbox called name
//   <a data-back>                goes back one page (the href is where to go without history)
(function () {
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    var button = e.submitter;
    if (button && button.hasAttribute("data-confirm")) text = button.getAttribute("data-confirm");
    if (text && !window.confirm(text)) e.preventDefault();
  });
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
    if (el.matches && el.matches("input[data-check-all]")) {
      var name = el.getAttribute("data-check-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) {
        c.checked = el.checked;
      });
    }
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });
})();

// Sizes that come from data (progress bars, indentation of indicator trees), set through the
// DOM rather than style attributes, which the Content-Security-Policy does not allow.
(function () {
  function size(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.min(100, parseFloat(el.getAttribute("data-width")) || 0) + "%";
    });
    root.querySelectorAll("[data-indent]").forEach(function (el) {
      el.style.paddingLeft = (parseFloat(el.getAttribute("data-indent")) || 0) + "em";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { size(document); });
  document.addEventListener("htmx:afterSettle", function (e) { size(e.target); });
})();

// Pages kept for offline on-site scoring (onsite.js) belong to the person logged in: once no one
// is (the login page, after 退出 or an ended session), they are dropped from this browser.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector(".topbar .who") || !window.caches || !window.isSecureContext) return;
    caches.delete("wenming-onsite-v1").catch(function () {});
  });
})();
