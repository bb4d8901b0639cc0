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

  // On a phone the help panel's longer list starts closed: open, it added a screen's height or more to
  // every page. The most urgent help and "talk to someone" stay in view, and the list is one tap away.
  if (window.matchMedia && window.matchMedia("(max-width: 39.99rem)").matches) {
    document.querySelectorAll("details[data-close-when-narrow]").forEach(function (details) {
      details.open = false;
    });
  }

  // Move focus to the list of problems so screen reader users hear it first.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
})();
