// The public answering page: show-if rules, progress, and the half-filled answer kept in this
// browser (localStorage) until it is submitted. No outside host; works on plain HTTP.
(function () {
  "use strict";
  function store() { try { return window.localStorage; } catch (e) { return null; } }

  function init() {
    var done = document.getElementById("survey-done");
    var ls = store();
    if (done && ls) {
      var prefix = done.dataset.clearPrefix;
      for (var i = ls.length - 1; i >= 0; i--) {
        var k = ls.key(i);
        if (k && k.indexOf(prefix) === 0) { ls.removeItem(k); }
      }
      return;
    }
    var root = document.getElementById("survey");
    var form = document.getElementById("survey-form");
    if (!root || !form) { return; }
    var key = root.dataset.storage;
    var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-key]"));

    function values(q) {
      var out = [];
      q.querySelectorAll("input, textarea, select").forEach(function (el) {
        if ((el.type === "radio" || el.type === "checkbox")) { if (el.checked) { out.push(el.value); } }
        else if (el.value.trim() !== "") { out.push(el.value); }
      });
      return out;
    }
    function byKey(k) { return questions.filter(function (q) { return q.dataset.key === k; })[0]; }

    function refresh() {
      var answered = 0, shown = 0;
      questions.forEach(function (q) {
        var visible = true;
        if (q.dataset.showIf) {
          var source = byKey(q.dataset.showIf);
          var wanted = (q.dataset.showValues || "").split("|");
          visible = !!source && !source.hidden && values(source).some(function (v) { return wanted.indexOf(v) >= 0; });
        }
        q.hidden = !visible;
        if (visible) { shown++; if (values(q).length) { answered++; } }
      });
      var bar = document.getElementById("survey-progress");
      var text = document.getElementById("survey-progress-text");
      if (bar) { bar.max = shown; bar.value = answered; }
      if (text) { text.textContent = "已答 " + answered + " / " + shown + " 题"; }
    }

    function save() {
      var ls = store();
      if (!ls) { return; }
      var data = {};
      questions.forEach(function (q) { data[q.dataset.key] = values(q); });
      var target = form.querySelector("select[name=target]");
      if (target) { data._target = [target.value]; }
      try { ls.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full: keep going */ }
    }

    function restore() {
      var ls = store();
      if (!ls || form.querySelector(".error")) { return; }  // a refused post shows what was sent
      var raw = ls.getItem(key);
      if (!raw) { return; }
      var data;
      try { data = JSON.parse(raw); } catch (e) { return; }
      questions.forEach(function (q) {
        var given = data[q.dataset.key] || [];
        q.querySelectorAll("input, textarea").forEach(function (el) {
          if (el.type === "radio" || el.type === "checkbox") { el.checked = given.indexOf(el.value) >= 0; }
          else if (given.length) { el.value = given[0]; }
        });
      });
      var target = form.querySelector("select[name=target]");
      if (target && data._target && data._target[0]) { target.value = data._target[0]; }
    }

    restore();
    refresh();
    form.addEventListener("change", function () { refresh(); save(); });
    form.addEventListener("input", function () { refresh(); save(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
