// On-site scoring that survives a dropped connection (no service worker: intranets are plain HTTP).
// Every entry is kept in localStorage with an id made here the first time the item is typed;
// pending entries are sent whenever the browser is online, and the server stores by that id,
// so an entry sent twice is stored once.
(function () {
  var root = document.getElementById("onsite");
  if (!root) return;
  var KEY = "wenming.onsite." + root.dataset.user;
  var assignment = root.dataset.assignment;
  var readonly = root.dataset.readonly === "1";
  var state = document.getElementById("sync-state");
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function store(all) { localStorage.setItem(KEY, JSON.stringify(all)); }

  // crypto.randomUUID needs a secure context (HTTPS); getRandomValues works on plain HTTP too
  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.from(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function fieldsOf(section) {
    var out = { value: "", reason: "", note: "" };
    section.querySelectorAll("[data-field]").forEach(function (el) {
      if (el.type === "radio") { if (el.checked) out.value = el.value; }
      else out[el.dataset.field] = el.value.trim();
    });
    return out;
  }

  function show(section, entry) {
    section.querySelectorAll("[data-field]").forEach(function (el) {
      if (el.type === "radio") el.checked = el.value === entry.value;
      else el.value = entry[el.dataset.field] || "";
    });
  }

  function mark(section, entry) {
    var line = section.querySelector(".entry-state");
    section.classList.toggle("pending", !!entry.pending);
    section.classList.toggle("refused", !!entry.error);
    if (entry.error) { line.textContent = "未保存:" + entry.error; line.className = "entry-state error"; }
    else if (entry.pending) { line.textContent = "已暂存在本机,待同步"; line.className = "entry-state pending"; }
    else { line.textContent = "已同步"; line.className = "entry-state ok"; }
  }

  function status() {
    var all = load(), waiting = 0, refused = 0;
    Object.keys(all).forEach(function (k) {
      if (all[k].assignment !== assignment) return;
      if (all[k].error) refused += 1; else if (all[k].pending) waiting += 1;
    });
    var text = navigator.onLine ? "在线" : "离线(评分暂存在本机,恢复网络后自动同步)";
    if (waiting) text += " · " + waiting + "条待同步";
    if (refused) text += " · " + refused + "条未通过,请修改";
    if (!waiting && !refused) text += " · 已全部同步";
    state.textContent = text;
    state.className = "sync-state" + (navigator.onLine ? "" : " offline");
  }

  function keyOf(code) { return assignment + ":" + code; }

  function changed(section) {
    var code = section.dataset.code, all = load(), k = keyOf(code);
    var entry = all[k] || { client_id: section.dataset.clientId || uuid(), assignment: assignment, code: code };
    var f = fieldsOf(section);
    if (f.value === "") return;
    entry.value = f.value; entry.reason = f.reason; entry.note = f.note;
    entry.entered_at = new Date().toISOString();
    entry.pending = true; entry.error = "";
    all[k] = entry; store(all);
    section.dataset.clientId = entry.client_id;
    mark(section, entry); status(); sync();
  }

  function sync() {
    if (sending || !navigator.onLine) { status(); return; }
    var all = load();
    var batch = Object.keys(all).filter(function (k) { return all[k].pending && !all[k].error; })
      .map(function (k) { return all[k]; });
    if (!batch.length) { status(); return; }
    sending = true;
    fetch(root.dataset.sync, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ entries: batch.map(function (e) {
        return { client_id: e.client_id, assignment: e.assignment, code: e.code, value: e.value,
                 reason: e.reason, note: e.note, entered_at: e.entered_at };
      }) })
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (body) {
      var now = load(), sent = {};
      batch.forEach(function (e) { sent[e.client_id] = e.entered_at; });
      body.answers.forEach(function (a) {
        Object.keys(now).forEach(function (k) {
          var e = now[k];
          if (e.client_id !== a.client_id || e.entered_at !== sent[a.client_id]) return;  // typed again meanwhile
          if (a.ok) { e.pending = false; e.error = ""; } else { e.error = a.error; }
          var section = document.getElementById("i-" + e.code);
          if (section && e.assignment === assignment) mark(section, e);
        });
      });
      store(now);
    }).catch(function () { /* still offline or the server is away: keep everything, retry later */ })
      .finally(function () { sending = false; status(); countDone(); });
  }

  function countDone() {
    var n = 0;
    root.querySelectorAll(".onsite-item").forEach(function (s) {
      if (fieldsOf(s).value !== "") n += 1;
    });
    var done = document.getElementById("done");
    if (done) done.textContent = n;
  }

  // what this phone kept and has not yet sent wins over what the page was rendered with
  var kept = load();
  root.querySelectorAll(".onsite-item").forEach(function (section) {
    var entry = kept[keyOf(section.dataset.code)];
    if (entry && (entry.pending || entry.error)) { show(section, entry); mark(section, entry); }
    if (entry) section.dataset.clientId = entry.client_id;
    if (readonly) section.querySelectorAll("[data-field]").forEach(function (el) { el.disabled = true; });
  });
  if (!readonly) {
    root.addEventListener("change", function (e) {
      var section = e.target.closest && e.target.closest(".onsite-item");
      if (section && e.target.dataset.field) changed(section);
    });
  }
  window.addEventListener("online", sync);
  window.addEventListener("offline", status);
  setInterval(sync, 15000);
  countDone(); status(); sync();
})();
