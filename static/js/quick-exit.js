// Quick exit, after the GOV.UK "Exit this page" pattern. Without this file the button is a plain link
// that still leaves. With it, the button and three presses of Shift (within a second) hide the page at
// once, sign the pupil out in the background and replace this page in the history, so Back does not
// return to it. The exit address comes from the link's href: no inline script is needed.
(function () {
  "use strict";

  var link = document.querySelector("a[data-quick-exit]");
  if (!link) { return; }
  var PRESSES = 3;
  var WINDOW_MS = 1000;
  var presses = [];
  var leaving = false;

  function signOut() {
    var url = link.getAttribute("data-sign-out");
    if (!url || !window.fetch) { return; }
    var body = new URLSearchParams();
    body.append("csrf_token", link.getAttribute("data-csrf") || "");
    try {
      // keepalive lets the request finish after the page has gone.
      window.fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true });
    } catch (error) { /* leaving matters more than signing out */ }
  }

  function exitPage(event) {
    if (event) { event.preventDefault(); }
    if (leaving) { return; }
    leaving = true;
    // Blank the page first, so nothing stays on screen while the next site loads.
    document.documentElement.classList.add("quick-exit-leaving");
    document.title = "";
    signOut();
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
