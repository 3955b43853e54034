// Keeps a fragment up to date: an element with data-poll-url is replaced
// by the HTML that URL returns, every data-poll-every milliseconds, until
// the returned fragment no longer asks to be polled.
(function () {
  "use strict";
  function poll(element) {
    var every = parseInt(element.dataset.pollEvery || "1000", 10);
    window.setTimeout(function () {
      fetch(element.dataset.pollUrl, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var next = holder.firstElementChild;
          if (!next) { return; }
          element.replaceWith(next);
          if (next.dataset.pollUrl) { poll(next); }
        })
        .catch(function () { window.setTimeout(function () { poll(element); }, every * 4); });
    }, every);
  }
  document.querySelectorAll("[data-poll-url]").forEach(poll);
})();
