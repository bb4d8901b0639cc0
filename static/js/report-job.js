// The report job page: show progress without reloading, then reload once it is ready.
// Without this script the page's "Check again" link does the same job.
(function () {
  "use strict";
  var box = document.getElementById("report-job");
  if (!box || !window.fetch) { return; }
  var status = box.getAttribute("data-status");
  if (status === "done" || status === "failed") { return; }
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-progress-text");

  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        if (bar) { bar.value = job.progress; }
        if (text) { text.textContent = job.progress + "%"; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
