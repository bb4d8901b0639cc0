// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // A quiz form can be sent once: a second click would only repeat it (the server
  // also ignores repeats, this just saves the pupil a confusing wait).
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });

  // Move focus to the list of problems so screen reader users hear it first.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
})();
