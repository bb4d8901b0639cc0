// Quick exit, after the GOV.UK "Exit this page" pattern. Without this file the button is a plain link to
// /exit, which signs the pupil out on the server and then redirects to a neutral site. With it, the
// button and three presses of Shift (within a second) hide the page at once and go to the same /exit
// with location.replace, so this page leaves the history and Back does not return to it. Signing out
// is part of that one request, never a background one that could lose a race with Back. The address
// comes from the link's href: no inline script is needed.
(function () {
  "use strict";

  var link = document.querySelector("a[data-quick-exit]");
  if (!link) { return; }
  var PRESSES = 3;
  var WINDOW_MS = 1000;
  var presses = [];
  var leaving = false;

  function exitPage(event) {
    if (event) { event.preventDefault(); }
    if (leaving) { return; }
    leaving = true;
    // Blank the page first, so nothing stays on screen while the next site loads.
    document.documentElement.classList.add("quick-exit-leaving");
    document.title = "";
    window.location.replace(link.href);
  }

  link.addEventListener("click", exitPage);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      // Shift used for a capital letter is typing, not a quick exit.
      presses = [];
      return;
    }
    if (event.repeat) { return; } // Shift held down counts once.
    var now = Date.now();
    presses = presses.filter(function (time) { return now - time < WINDOW_MS; });
    presses.push(now);
    if (presses.length >= PRESSES) { exitPage(); }
  });

  // If the browser ever restores this page from its cache, do not show it again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && leaving) { window.location.replace(link.href); }
  });
})();
