// Behaviour that used to be inline (the Content-Security-Policy allows no
// inline script or style): progress bars sized from data-width, the "tick
// all" box, and a page reloading itself after data-reload-after
// milliseconds. Buttons and forms asking data-confirm first: confirm.js.
(function () {
  "use strict";
  function applyWidths(root) {
    // Setting a style property from a script is allowed; a style="" is not.
    if (root.matches && root.matches("[data-width]")) {
      root.style.width = root.dataset.width + "%";
    }
    root.querySelectorAll("[data-width]").forEach(function (bar) {
      bar.style.width = bar.dataset.width + "%";
    });
  }
  applyWidths(document);
  // Fragments replaced by poll.js bring their own bars.
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE) { applyWidths(node); }
      });
    });
  }).observe(document.body, { childList: true, subtree: true });

  var tickAll = document.getElementById("tick-all");
  if (tickAll) {
    tickAll.addEventListener("change", function () {
      document.querySelectorAll("input.tick").forEach(function (box) { box.checked = tickAll.checked; });
    });
  }

  var reload = document.querySelector("[data-reload-after]");
  if (reload) {
    window.setTimeout(function () { window.location.reload(); }, parseInt(reload.dataset.reloadAfter, 10));
  }
})();
