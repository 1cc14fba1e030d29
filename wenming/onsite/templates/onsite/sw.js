// The on-site scoring page offline (served at /onsite/sw.js, so its scope is /onsite/).
// Browsers run service workers only in secure contexts: HTTPS, or http://localhost. On a
// plain-HTTP intranet this file is never registered; see README "现场测评离线" for the fallback.
// Network first: a page or asset fetched while online is also kept; when the network fails
// (offline, or a dead connection), the kept copy answers. Scores and photos typed meanwhile
// live in localStorage / IndexedDB and are sent by onsite.js as before (same sync contract).
var CACHE = "wenming-onsite-v1";
var PAGE = /^\/onsite\/a\/\d+\/$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = request.mode === "navigate" && PAGE.test(url.pathname);
  if (!page && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // a redirect (the session ended: the login page) or an error page is never kept
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname, { ignoreVary: true, ignoreSearch: page }).then(function (kept) {
        return kept || Response.error();
      });
    })
  );
});
