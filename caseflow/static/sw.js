/*
 * caseflow service worker: the app's own static files (styles, scripts) and a plain "you are offline"
 * page stay available without a connection, so a page opened offline still loads its script and
 * shows the records waiting to send.
 *
 * It caches no page of the app and no participant data: authenticated pages are no-store and always
 * come from the network. Form posts are never touched here; static/js/offline.js queues them.
 */
"use strict";

var CACHE = "caseflow-static-v1";
var OFFLINE_PAGE = "/static/offline.html";
var PRECACHE = [OFFLINE_PAGE, "/static/js/offline.js", "/static/caseflow.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(PRECACHE); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
        return caches["delete"](name);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isStatic(url) {
  return url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/bootstrap/static/") === 0;
}

// Static files: answer from the cache at once and refresh it in the background (stale-while-revalidate).
function staticFile(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (cached) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (cached) {
        fresh["catch"](function () { return null; });
        return cached;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return; // posts go to the network as they are
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/static/sw.js") {
    return;
  }
  if (isStatic(url)) {
    event.respondWith(staticFile(request));
    return;
  }
  if (request.mode === "navigate") {
    // Pages always come from the network; only when there is none, the offline page instead.
    event.respondWith(fetch(request)["catch"](function () {
      return caches.match(OFFLINE_PAGE);
    }));
  }
});
