// ledgerlink dashboard: progressive enhancement only. Every page works without this file.
// - a button with data-confirm asks before its form is sent;
// - an element with data-live="URL" is refreshed from URL (an HTML fragment) every few
//   seconds while the page is open, until the fragment carries data-final.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  function refresh(element) {
    var url = element.getAttribute("data-live");
    var every = parseInt(element.getAttribute("data-every") || "2000", 10);
    function tick() {
      fetch(url, { headers: { "X-Partial": "1" }, credentials: "same-origin" })
        .then(function (reply) { return reply.ok ? reply.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          element.innerHTML = html;
          if (!element.querySelector("[data-final]")) { window.setTimeout(tick, every); }
        })
        .catch(function () { window.setTimeout(tick, every * 2); });
    }
    if (!element.querySelector("[data-final]")) { window.setTimeout(tick, every); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(refresh);
  });
})();
