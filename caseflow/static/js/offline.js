/*
 * caseflow offline queue for the contact and mediation forms (forms marked data-offline).
 *
 * With JavaScript on, saving such a form first keeps the record in this browser (IndexedDB), then
 * sends it. If the network is gone the record waits, listed as "waiting to send", and is sent when
 * the connection returns. Each record carries the form's one-time submission token, so sending it
 * twice (a retry, a second tab) still makes one record on the server; an edit carries its version,
 * so a stale one comes back as a conflict and is never saved over someone else's change.
 *
 * Stale CSRF tokens and ended sessions: the queue asks the server for a fresh token before sending;
 * with no live session it shows "log in to send" and resumes after the person logs in again.
 *
 * Privacy: a waiting record holds what was typed (notes included) on this device. It is deleted as
 * soon as the server has it, when its owner logs out, and after MAX_AGE_HOURS whatever happens.
 * Another account logging in on the same browser never sees or sends it.
 * Without JavaScript nothing here runs and the forms post as plain HTML forms.
 */
(function () {
  "use strict";

  var DB_NAME = "caseflow-offline";
  var STORE = "queue";
  var MAX_AGE_HOURS = 24;
  var SEND_TIMEOUT_MS = 20000;
  var RETRY_EVERY_MS = 30000;
  var SYNC_HEADER = "X-Caseflow-Sync";

  var script = document.currentScript;
  var config = {
    user: (script && script.dataset.user) || "",
    sw: (script && script.dataset.sw) || "",
    tokenUrl: (script && script.dataset.tokenUrl) || "/offline/csrf-token",
    loginUrl: (script && script.dataset.loginUrl) || "/login"
  };
  // The static offline page has no session to ask: it shows the queue of the last user of this tab.
  if (config.user) {
    sessionStorage.setItem("caseflow-user", config.user);
  } else if (document.body && document.body.hasAttribute("data-offline-page")) {
    config.user = sessionStorage.getItem("caseflow-user") || "";
  }

  var sentThisPage = []; // receipts only (label, time): never the record's content
  var inFlight = {}; // ids this page is sending right now, so the queue does not send them a second time
  var syncing = false;
  var retryTimer = null;

  // --- IndexedDB ----------------------------------------------------------------------------

  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        if (!window.indexedDB) {
          reject(new Error("no IndexedDB"));
          return;
        }
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var store = request.result.createObjectStore(STORE, { keyPath: "id" });
          store.createIndex("user", "user");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result;
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
        work(transaction.objectStore(STORE), function (value) { result = value; });
      });
    });
  }

  function putItem(item) {
    return tx("readwrite", function (store) { store.put(item); });
  }

  function deleteItem(id) {
    return tx("readwrite", function (store) { store["delete"](id); });
  }

  function allItems() {
    return tx("readonly", function (store, done) {
      var request = store.getAll();
      request.onsuccess = function () { done(request.result || []); };
    });
  }

  function myItems() {
    return allItems().then(function (items) {
      return items
        .filter(function (item) { return config.user && item.user === config.user; })
        .sort(function (a, b) { return a.queuedAt - b.queuedAt; });
    });
  }

  function dropExpired() {
    var cutoff = Date.now() - MAX_AGE_HOURS * 3600 * 1000;
    return allItems().then(function (items) {
      var old = items.filter(function (item) { return item.queuedAt < cutoff; });
      return Promise.all(old.map(function (item) { return deleteItem(item.id); }));
    });
  }

  // --- talking to the server ---------------------------------------------------------------

  function newId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function fetchWithTimeout(url, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = null;
    if (controller) {
      options.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS);
    }
    return fetch(url, options).then(
      function (response) { clearTimeout(timer); return response; },
      function (error) { clearTimeout(timer); throw error; }
    );
  }

  function readJson(response) {
    return response.json().catch(function () { return {}; });
  }

  // Resolves to {state: "token", token} | {state: "login"} | {state: "waiting"} (network down or server trouble).
  function freshToken() {
    return fetchWithTimeout(config.tokenUrl, {
      method: "GET",
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      headers: { "X-Caseflow-Sync": "queue", "Accept": "application/json" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) {
        return { state: "login" };
      }
      if (!response.ok) {
        return { state: "waiting" };
      }
      return readJson(response).then(function (body) {
        return body.csrf_token ? { state: "token", token: body.csrf_token } : { state: "waiting" };
      });
    }, function () {
      return { state: "waiting" };
    });
  }

  function post(item, token, mode) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) {
      if (pair[0] !== "csrf_token") {
        body.append(pair[0], pair[1]);
      }
    });
    body.append("csrf_token", token);
    var headers = { "Accept": "application/json" };
    headers[SYNC_HEADER] = mode;
    return fetchWithTimeout(item.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      headers: headers
    });
  }

  // What the server said, as the item's next state: sent | csrf | login | conflict | invalid | refused | waiting.
  function outcome(response) {
    if (response.type === "opaqueredirect") {
      return Promise.resolve({ state: "login" });
    }
    return readJson(response).then(function (body) {
      var s = response.status;
      if (s === 200 && body.status === "saved") { return { state: "sent", url: body.url, message: body.message }; }
      if (s === 400 && body.status === "csrf") { return { state: "csrf" }; }
      if (s === 401) { return { state: "login" }; }
      if (s === 409) { return { state: "conflict", message: body.message }; }
      if (s === 422) { return { state: "invalid", errors: body.errors || {}, messages: body.messages || [] }; }
      if (s >= 500) { return { state: "waiting" }; } // the database may be down (503): try again later
      return { state: "refused", message: "The server did not accept it (" + s + ")." };
    });
  }

  // Send one item: with the given token first, with a fresh one if the server calls it stale.
  function send(item, token, mode) {
    return post(item, token, mode).then(outcome, function () { return { state: "waiting" }; }).then(function (result) {
      if (result.state !== "csrf") {
        return result;
      }
      return freshToken().then(function (fresh) {
        if (fresh.state !== "token") {
          return fresh;
        }
        return post(item, fresh.token, mode).then(outcome, function () { return { state: "waiting" }; })
          .then(function (again) {
            // A second refusal of a token fresh from this session means no usable session.
            return again.state === "csrf" ? { state: "login" } : again;
          });
      });
    });
  }

  // --- the queue ---------------------------------------------------------------------------

  function settle(item, result) {
    if (result.state === "sent") {
      sentThisPage.push({ label: item.label, at: new Date() });
      return deleteItem(item.id);
    }
    item.state = result.state;
    item.message = result.message || "";
    item.errors = result.errors || null;
    return putItem(item);
  }

  // Send what is waiting, oldest first; stop at the first sign the network or the session is gone.
  function sync() {
    if (syncing || !config.user) {
      return Promise.resolve();
    }
    syncing = true;
    return myItems().then(function (items) {
      var pending = items.filter(function (item) {
        return !inFlight[item.id] && (item.state === "waiting" || item.state === "login" || item.state === "sending");
      });
      if (!pending.length) {
        return null;
      }
      return freshToken().then(function (fresh) {
        if (fresh.state !== "token") {
          return Promise.all(pending.map(function (item) { return settle(item, fresh); }));
        }
        var chain = Promise.resolve(true);
        pending.forEach(function (item) {
          chain = chain.then(function (goOn) {
            if (!goOn) {
              return false;
            }
            item.state = "sending";
            return putItem(item).then(render).then(function () {
              return send(item, fresh.token, "queue");
            }).then(function (result) {
              return settle(item, result).then(function () {
                return result.state !== "waiting" && result.state !== "login";
              });
            });
          });
        });
        return chain;
      });
    }).catch(function () { return null; }).then(function () {
      syncing = false;
      return render();
    });
  }

  function scheduleRetry(hasWaiting) {
    if (hasWaiting && !retryTimer) {
      retryTimer = setInterval(function () {
        if (navigator.onLine !== false) { sync(); }
      }, RETRY_EVERY_MS);
    } else if (!hasWaiting && retryTimer) {
      clearInterval(retryTimer);
      retryTimer = null;
    }
  }

  // --- what the person sees -----------------------------------------------------------------

  var STATE_TEXT = {
    waiting: "Waiting to send",
    sending: "Sending…",
    login: "Log in to send",
    conflict: "Conflict — someone changed this record first. Open it to compare.",
    invalid: "Not sent — it needs changes. Open it to see what.",
    refused: "Not sent"
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function panel() {
    var existing = document.getElementById("offline-queue");
    if (existing) { return existing; }
    var main = document.getElementById("main") || document.body;
    var section = el("section", "offline-queue border rounded p-2 mb-3");
    section.id = "offline-queue";
    section.setAttribute("aria-label", "Records kept on this device");
    section.hidden = true;
    var status = el("div", "");
    status.id = "offline-queue-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    section.appendChild(status);
    main.insertBefore(section, main.firstChild);
    return section;
  }

  function timeText(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function itemRow(item) {
    var li = el("li", "offline-item offline-" + item.state + " py-1");
    li.setAttribute("data-state", item.state);
    li.appendChild(el("span", "fw-semibold", item.label));
    li.appendChild(document.createTextNode(" · kept " + timeText(item.queuedAt) + " · "));
    li.appendChild(el("span", "offline-state", STATE_TEXT[item.state] || item.state));
    if (item.state === "refused" && item.message) {
      li.appendChild(document.createTextNode(" " + item.message));
    }
    var actions = el("span", "ms-2");
    if (item.state === "login") {
      var login = el("a", "btn btn-sm btn-primary", "Log in");
      login.href = config.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
      actions.appendChild(login);
    }
    if (item.state === "waiting") {
      var now = el("button", "btn btn-sm btn-outline-primary", "Send now");
      now.type = "button";
      now.addEventListener("click", function () { sync(); });
      actions.appendChild(now);
    }
    if (item.state === "conflict" || item.state === "invalid") {
      var open = el("button", "btn btn-sm btn-warning", "Open it");
      open.type = "button";
      open.addEventListener("click", function () { openItem(item); });
      actions.appendChild(open);
    }
    if (item.state !== "sending") {
      var discard = el("button", "btn btn-sm btn-link", "Discard");
      discard.type = "button";
      discard.addEventListener("click", function () {
        if (window.confirm("Delete this record from this device? It has not been sent.")) {
          deleteItem(item.id).then(render);
        }
      });
      actions.appendChild(discard);
    }
    li.appendChild(actions);
    return li;
  }

  function render() {
    if (!config.user) {
      return Promise.resolve();
    }
    return myItems().then(function (items) {
      var section = panel();
      var status = document.getElementById("offline-queue-status");
      var old = section.querySelector("ul");
      if (old) { section.removeChild(old); }
      var waiting = items.filter(function (item) {
        return item.state === "waiting" || item.state === "sending" || item.state === "login";
      }).length;
      if (!items.length && !sentThisPage.length) {
        section.hidden = true;
        status.textContent = "";
        scheduleRetry(false);
        return;
      }
      section.hidden = false;
      var parts = [];
      if (waiting) { parts.push(waiting + " waiting to send"); }
      if (items.length > waiting) { parts.push(items.length - waiting + " need your attention"); }
      if (sentThisPage.length) { parts.push(sentThisPage.length + " sent"); }
      status.textContent = "Kept on this device: " + parts.join(", ") + ".";
      var list = el("ul", "list-unstyled mb-0");
      items.forEach(function (item) { list.appendChild(itemRow(item)); });
      sentThisPage.forEach(function (receipt) {
        var li = el("li", "offline-item offline-sent py-1");
        li.setAttribute("data-state", "sent");
        li.appendChild(el("span", "fw-semibold", receipt.label));
        li.appendChild(document.createTextNode(" · "));
        li.appendChild(el("span", "offline-state", "Sent"));
        list.appendChild(li);
      });
      section.appendChild(list);
      scheduleRetry(waiting > 0);
    }).catch(function () { return null; });
  }

  // "Open it": post the kept input as a plain form, so the server shows its own page: the conflict
  // page beside the saved values, or the form with its error messages. The page now holds the input.
  function openItem(item) {
    freshToken().then(function (fresh) {
      if (fresh.state !== "token") {
        return settle(item, fresh).then(render);
      }
      var form = el("form", "d-none");
      form.method = "post";
      form.action = item.action;
      // The kept fields never include the old CSRF token (formFields leaves it out): add the fresh one.
      item.fields.concat([["csrf_token", fresh.token]]).forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      return deleteItem(item.id).then(function () { HTMLFormElement.prototype.submit.call(form); });
    });
  }

  function formFields(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token") {
        pairs.push([name, value]);
      }
    });
    return pairs;
  }

  function notice(form, text) {
    var box = form.parentNode.querySelector(".offline-notice");
    if (!box) {
      box = el("div", "alert alert-warning offline-notice");
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text;
  }

  function nativeSubmit(form) {
    // form.submit is shadowed by the field named "submit": call the real method.
    HTMLFormElement.prototype.submit.call(form);
  }

  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-offline") || !config.user) {
      return;
    }
    if (form.getAttribute("data-offline-busy")) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    form.setAttribute("data-offline-busy", "1");
    var tokenInput = form.querySelector('input[name="csrf_token"]');
    var item = {
      id: newId(),
      user: config.user,
      kind: form.getAttribute("data-offline"),
      label: form.getAttribute("data-offline-label") || document.title,
      action: form.getAttribute("action") || location.pathname,
      fields: formFields(form),
      queuedAt: Date.now(),
      state: "sending"
    };
    var isEdit = !!form.querySelector('input[name="version"]');
    inFlight[item.id] = true;
    // Kept first, sent second: closing the tab or losing the signal mid-send loses nothing.
    putItem(item).then(function () {
      return send(item, tokenInput ? tokenInput.value : "", "submit");
    }, function () {
      return { state: "no-storage" };
    }).then(function (result) {
      delete inFlight[item.id];
      if (result.state === "no-storage") {
        nativeSubmit(form); // private mode without IndexedDB: behave as a plain form
        return null;
      }
      if (result.state === "sent") {
        return deleteItem(item.id).then(function () { location.assign(result.url); });
      }
      if (result.state === "invalid" || result.state === "conflict") {
        // Online and answered: let the server show its page (errors, or the conflict) as without JavaScript.
        return deleteItem(item.id).then(function () { nativeSubmit(form); });
      }
      return settle(item, result).then(function () {
        form.removeAttribute("data-offline-busy");
        if (result.state === "login") {
          notice(form, "Kept on this device. Your session has ended: log in and it will be sent.");
        } else if (result.state === "refused") {
          notice(form, "Not sent: " + (result.message || "the server did not accept it."));
        } else {
          notice(form, "No connection. Kept on this device, waiting to send: it is sent when the connection returns.");
        }
        if (isEdit) {
          // Another save from this page would meet its own queued change as a conflict.
          Array.prototype.forEach.call(form.querySelectorAll('button[type="submit"], input[type="submit"]'),
            function (button) { button.disabled = true; });
        } else {
          form.reset();
          var token = form.querySelector('input[name="submission_token"]');
          if (token) { token.value = newId(); } // the next record on this form is a different one
        }
        return render();
      });
    });
  }

  // Logging out on a shared computer: send what is waiting, or ask before deleting it from the device.
  function onLogout(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !/\/logout$/.test(form.getAttribute("action") || "")) {
      return;
    }
    if (form.getAttribute("data-offline-checked")) {
      return;
    }
    event.preventDefault();
    var finish = function () {
      form.setAttribute("data-offline-checked", "1");
      sessionStorage.removeItem("caseflow-user");
      nativeSubmit(form);
    };
    myItems().then(function (items) {
      if (!items.length) {
        finish();
        return null;
      }
      return sync().then(myItems).then(function (left) {
        if (left.length && !window.confirm(left.length + " record(s) on this device have not been sent. " +
            "Logging out deletes them from this device. Log out anyway?")) {
          return null;
        }
        return Promise.all(left.map(function (item) { return deleteItem(item.id); })).then(finish);
      });
    }, finish);
  }

  // --- start ---------------------------------------------------------------------------------

  if (config.sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.sw, { scope: "/" })["catch"](function () { return null; });
  }
  if (!window.indexedDB) {
    return; // forms stay plain HTML forms
  }
  document.addEventListener("submit", onSubmit);
  document.addEventListener("submit", onLogout);
  window.addEventListener("online", function () { sync(); });
  dropExpired().then(render).then(function () {
    if (navigator.onLine !== false) { return sync(); }
    return null;
  })["catch"](function () { return null; });
})();
