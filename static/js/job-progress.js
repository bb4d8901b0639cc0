// A page showing a background job (a report, sign-in cards, class certificates): follow its
// progress without reloading, then reload once the job has finished. Without this script the
// page's "Check again" link does the same. (No <meta refresh>: a page that reloads itself on a
// timer fails WCAG 2.2.1, and axe's meta-refresh rule.)
(function () {
  "use strict";
  var box = document.querySelector("[data-job-running]");
  if (!box || !window.fetch || !window.DOMParser) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");

  function poll() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var running = page.querySelector("[data-job-running]");
        if (!running) { window.location.reload(); return; }
        var newBar = running.querySelector("progress");
        if (bar && newBar) { bar.value = newBar.value; }
        if (text && newBar) { text.textContent = newBar.value + "%"; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
