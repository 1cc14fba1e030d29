// On-site scoring that survives a dropped connection.
// Every entry is kept in localStorage with an id made here the first time the item is typed;
// pending entries are sent whenever the browser is online, and the server stores by that id,
// so an entry sent twice is stored once. Where the browser allows a service worker (HTTPS, or
// localhost) the page and its assets are kept too, so that a reload works offline
// (wenming/onsite/templates/onsite/sw.js); on plain HTTP the page asks before it is left
// while offline, since it could not be opened again until the connection returns.
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

  // counts per kind (findings, awards) travel as {kind: count}; the value shows them as text
  // ("缺项:1、不规范:2") for the counter and the local copy; 不适用 is a checkbox
  function fieldsOf(section) {
    var out = { value: "", reason: "", note: "", counts: null, na: false }, typed = [];
    section.querySelectorAll("[data-field]").forEach(function (el) {
      if (el.type === "radio") { if (el.checked) out.value = el.value; }
      else if (el.dataset.field === "na") out.na = el.checked;
      else if (el.dataset.field === "count") {
        out.counts = out.counts || {};
        out.counts[el.dataset.kind] = el.value.trim();
        if (el.value.trim() !== "") typed.push(el.dataset.kind + ":" + el.value.trim());
      }
      else out[el.dataset.field] = el.value.trim();
    });
    if (out.counts) out.value = typed.join("、");
    if (out.na) out.value = "不适用";
    return out;
  }

  function show(section, entry) {
    section.querySelectorAll("[data-field]").forEach(function (el) {
      if (el.type === "radio") el.checked = el.value === entry.value;
      else if (el.dataset.field === "na") el.checked = !!entry.na;
      else if (el.dataset.field === "count") el.value = (entry.counts || {})[el.dataset.kind] || "";
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
    if (!navigator.onLine && !(worker && navigator.serviceWorker.controller)) text += " · 请勿刷新或关闭本页";
    if (waiting) text += " · " + waiting + "条待同步";
    if (refused) text += " · " + refused + "条未通过,请修改";
    if (photosWaiting) text += " · " + photosWaiting + "张照片待同步";
    if (photosRefused) text += " · " + photosRefused + "张照片未通过";
    if (!waiting && !refused && !photosWaiting && !photosRefused) text += " · 已全部同步";
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
    entry.counts = f.counts; entry.na = f.na;
    entry.entered_at = new Date().toISOString();
    entry.pending = true; entry.error = "";
    all[k] = entry; store(all);
    section.dataset.clientId = entry.client_id;
    mark(section, entry); status(); sync();
  }

  function sync() {
    if (sending || !navigator.onLine) { status(); if (!sending) photosSend(); return; }
    var all = load();
    var batch = Object.keys(all).filter(function (k) { return all[k].pending && !all[k].error; })
      .map(function (k) { return all[k]; }).slice(0, 500);  // the server takes 500 at a time
    if (!batch.length) { status(); photosSend(); return; }
    sending = true;
    fetch(root.dataset.sync, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ entries: batch.map(function (e) {
        return { client_id: e.client_id, assignment: e.assignment, code: e.code, value: e.value,
                 reason: e.reason, note: e.note, entered_at: e.entered_at,
                 counts: e.counts || null, na: !!e.na };
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
      .finally(function () { sending = false; status(); countDone(); photosSend(); });
  }

  // Photos taken while offline wait in IndexedDB (a photo is too big for localStorage), each
  // with an id made here; they are sent after the entries, and a photo sent twice is kept once.
  var photosWaiting = 0, photosRefused = 0, sendingPhotos = false;
  function photoDb(work) {
    if (!window.indexedDB) return Promise.reject(new Error("no IndexedDB"));
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("wenming-onsite-" + root.dataset.user, 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("photos", { keyPath: "client_id" }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result, tx = db.transaction("photos", "readwrite"), out = work(tx.objectStore("photos"));
        tx.oncomplete = function () { db.close(); resolve(out && "result" in out ? out.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      };
    });
  }
  function photoState(code, text, cls) {
    var form = root.querySelector('form.photo[data-code="' + code + '"]');
    if (!form) return;
    var line = form.querySelector(".photo-state");
    line.textContent = text; line.className = "photo-state small " + cls;
  }
  function photosSend() {
    if (sendingPhotos) return;
    photoDb(function (store) { return store.getAll(); }).then(function (all) {
      photosWaiting = all.filter(function (p) { return !p.error; }).length;
      photosRefused = all.length - photosWaiting;
      all.forEach(function (p) {
        if (p.assignment === assignment) photoState(p.code, p.error ? "照片未保存:" + p.error : "照片已暂存在本机,待同步", p.error ? "error" : "pending");
      });
      status();
      var queue = all.filter(function (p) { return !p.error; });
      if (!queue.length || !navigator.onLine) return;
      sendingPhotos = true;
      var next = function () {
        var p = queue.shift();
        if (!p) { sendingPhotos = false; return; }
        var form = new FormData();
        form.append("code", p.code); form.append("client_id", p.client_id);
        form.append("photo", p.blob, p.name);
        fetch(root.dataset.photo.replace("/0/", "/" + p.assignment + "/"), {
          method: "POST", credentials: "same-origin", body: form,
          headers: { "X-CSRFToken": root.dataset.csrf, "Accept": "application/json" }
        }).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        }).then(function (a) {
          if (a.ok) {
            if (p.assignment === assignment) photoState(p.code, "照片已上传(刷新后显示)", "ok");
            return photoDb(function (store) { store.delete(p.client_id); });
          }
          if (a.retry) return;  // the score is not stored yet: next time
          p.error = a.error;
          if (p.assignment === assignment) photoState(p.code, "照片未保存:" + a.error, "error");
          return photoDb(function (store) { store.put(p); });
        }).then(next, function () { sendingPhotos = false; })  // offline again: later
          .finally(function () { if (!queue.length) { sendingPhotos = false; photosCount(); } });
      };
      next();
    }).catch(function () { /* no IndexedDB: the form posts the photo as before */ });
  }
  function photosCount() {
    photoDb(function (store) { return store.getAll(); }).then(function (all) {
      photosWaiting = all.filter(function (p) { return !p.error; }).length;
      photosRefused = all.length - photosWaiting;
      status();
    }).catch(function () {});
  }
  if (!readonly && window.indexedDB) {
    root.addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.classList || !form.classList.contains("photo")) return;
      var input = form.querySelector("input[type=file]");
      if (!input.files.length) return;
      e.preventDefault();
      var file = input.files[0];
      photoState(form.dataset.code, "正在压缩照片……", "pending");
      shrink(file).then(function (blob) {
        var record = { client_id: uuid(), assignment: assignment, code: form.dataset.code,
                       name: file.name || "现场照片.jpg", blob: blob, error: "" };
        return photoDb(function (store) { store.put(record); }).then(function () { return record; });
      }).then(function (record) {
        input.value = "";
        photoState(record.code, "照片已暂存在本机,待同步", "pending");
        photosCount(); photosSend();
      }, function () { form.submit(); });
    });
  }

  // A phone's photo (often 4,000 px, 3–8 MB) is made 2,000 px on its long edge before it is kept
  // and sent: a tenth of the bytes on a weak connection, and enough to read a notice board. The
  // EXIF block (time and place taken) is copied into the smaller JPEG, its orientation set to
  // upright, since the browser has already turned the picture. Anything it cannot read (not a
  // JPEG/PNG/WebP, a browser without createImageBitmap) is sent as it is.
  var LONG_EDGE = 2000;
  function shrink(file) {
    if (!window.createImageBitmap || !/^image\/(jpeg|png|webp)$/.test(file.type)) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = LONG_EDGE / Math.max(bitmap.width, bitmap.height);
      if (scale >= 1) { bitmap.close(); return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (done) { canvas.toBlob(done, "image/jpeg", 0.85); }).then(function (small) {
        if (!small) return file;
        return exifSegment(file).then(function (exif) {
          return exif ? new Blob([small.slice(0, 2), exif, small.slice(2)], { type: "image/jpeg" }) : small;
        });
      });
    }).catch(function () { return file; });
  }
  // the APP1 "Exif" segment of a JPEG (marker and length included), orientation set to 1
  function exifSegment(file) {
    if (file.type !== "image/jpeg") return Promise.resolve(null);
    return file.slice(0, 256 * 1024).arrayBuffer().then(function (buffer) {
      var v = new DataView(buffer), at = 2;
      if (v.byteLength < 4 || v.getUint16(0) !== 0xffd8) return null;
      while (at + 4 <= v.byteLength && v.getUint8(at) === 0xff) {
        var marker = v.getUint8(at + 1), length = v.getUint16(at + 2);
        if (marker === 0xda || at + 2 + length > v.byteLength) return null;  // image data: no EXIF
        if (marker === 0xe1 && v.getUint32(at + 4) === 0x45786966) {  // "Exif"
          var segment = new Uint8Array(buffer.slice(at, at + 2 + length));
          upright(new DataView(segment.buffer), 10);
          return segment;
        }
        at += 2 + length;
      }
      return null;
    }).catch(function () { return null; });
  }
  function upright(v, tiff) {
    try {
      var little = v.getUint16(tiff) === 0x4949;
      var ifd = tiff + v.getUint32(tiff + 4, little), count = v.getUint16(ifd, little);
      for (var i = 0; i < count; i += 1) {
        var entry = ifd + 2 + i * 12;
        if (v.getUint16(entry, little) === 0x0112) v.setUint16(entry + 8, 1, little);
      }
    } catch (e) { /* a damaged block is copied as it is */ }
  }

  // Offline use across a reload: a service worker where the browser allows one; this page and
  // its scripts and styles are kept at once (the worker then keeps them fresh on every visit).
  var PAGES = "wenming-onsite-v1";
  var worker = "serviceWorker" in navigator && window.isSecureContext && root.dataset.worker;
  function keepForOffline() {
    if (!window.caches || !navigator.onLine) return;
    var urls = [location.pathname];
    document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (el) {
      urls.push(new URL(el.src || el.href, location.href).pathname);
    });
    caches.open(PAGES).then(function (cache) {
      return cache.match(location.pathname, { ignoreVary: true }).then(function (hit) {
        return hit ? null : cache.addAll(urls);
      });
    }).catch(function () { /* storage full or refused: the page works online as before */ });
  }
  if (worker) {
    navigator.serviceWorker.register(root.dataset.worker).then(function () {
      return navigator.serviceWorker.ready;
    }).then(keepForOffline).catch(function () { worker = false; });
  }
  // without a worker (plain HTTP) a reload while offline would lose the page (not the data)
  window.addEventListener("beforeunload", function (e) {
    if (navigator.onLine || (worker && navigator.serviceWorker.controller)) return;
    e.preventDefault();
    e.returnValue = "";
  });

  function countDone() {
    var n = 0;
    root.querySelectorAll(".onsite-item").forEach(function (s) {
      var scored = fieldsOf(s).value !== "";
      s.classList.toggle("scored", scored);
      if (scored) n += 1;
    });
    var done = document.getElementById("done");
    if (done) done.textContent = n;
  }

  // 只看未评: hide the items already scored (marked when counted, not while typing)
  var onlyOpen = document.getElementById("only-unscored");
  if (onlyOpen) {
    onlyOpen.addEventListener("change", function () {
      countDone();
      root.classList.toggle("only-unscored", onlyOpen.checked);
    });
  }

  // what this phone kept and has not yet sent wins over what the page was rendered with, and so
  // does anything typed after it was rendered (a page kept for offline use may be older)
  var kept = load(), rendered = Date.parse(root.dataset.rendered || "") || 0;
  root.querySelectorAll(".onsite-item").forEach(function (section) {
    var entry = kept[keyOf(section.dataset.code)];
    var newer = entry && Date.parse(entry.entered_at || "") > rendered;
    if (entry && (entry.pending || entry.error || newer)) { show(section, entry); mark(section, entry); }
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
  countDone(); status(); sync(); photosCount();
})();
