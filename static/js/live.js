// A live lesson's screens follow the teacher. Without this file each page shows the state when it was loaded,
// and "Go to the teacher's step" reloads it. With it, a pupil's page waits on the event server
// (data-live-events-url, live/events.py): its question is held until the teacher moves, so a device asks
// about once a move. Where that fails (a filtering proxy that cuts held requests), or no event server is set,
// the page polls a tiny state document about once a second with If-None-Match (304 while nothing changed):
// plain short requests get through proxies that break WebSockets and long-lived connections.
(function () {
  "use strict";

  var PUPIL_EVERY_MS = 1000;
  var TEACHER_EVERY_MS = 3000;
  var HIDDEN_EVERY_MS = 5000; // a tab out of sight asks less often; it catches up when shown
  var MAX_BACKOFF_MS = 8000;

  function poll(root, every, onState) {
    var url = root.getAttribute("data-live-state-url");
    // A pupil's poll URL carries its own key: no sign-in cookie is sent, so the server reads no person.
    var credentials = root.hasAttribute("data-live-cookieless") ? "omit" : "same-origin";
    var tag = null;
    var failures = 0;
    var stopped = false;

    function next(delay) {
      if (!stopped) { window.setTimeout(ask, delay); }
    }

    function ask() {
      var headers = {"Accept": "application/json"};
      if (tag) { headers["If-None-Match"] = tag; }
      window.fetch(url, {headers: headers, cache: "no-store", credentials: credentials, redirect: "manual"})
        .then(function (response) {
          failures = 0;
          if (response.status === 304) { return null; }
          if (!response.ok) {
            // Signed out (quick exit: a redirect to sign in), or not theirs: nothing more to follow.
            stopped = true;
            return null;
          }
          tag = response.headers.get("ETag");
          return response.json();
        })
        .then(function (state) {
          if (state) { onState(state); }
          next(document.hidden ? HIDDEN_EVERY_MS : every);
        })
        .catch(function () {
          // A dropped connection: try again, more slowly each time.
          failures += 1;
          next(Math.min(every * Math.pow(2, failures), MAX_BACKOFF_MS));
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !stopped) { ask(); }
    });
    next(every);
  }

  // Long polling: ask "changed since <tag>?"; the answer comes when the teacher moves, or 304 after a while.
  function waitForMoves(root, onState, fallBack) {
    var url = root.getAttribute("data-live-events-url");
    var tag = root.getAttribute("data-live-tag") || "";
    var failures = 0;

    function ask() {
      var asked = Date.now();
      window.fetch(url + "?tag=" + encodeURIComponent(tag), {cache: "no-store", credentials: "omit", mode: "cors"})
        .then(function (response) {
          if (response.status === 404) { return "stop"; } // not this pupil's, or no such lesson
          if (response.status === 304) { return null; }
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (state) {
          failures = 0;
          if (state === "stop") { return; }
          if (state) { tag = state.tag; onState(state); }
          // A 304 that came back at once (something in between answering for the server): ask more slowly.
          window.setTimeout(ask, Date.now() - asked < 1000 ? 1000 : 0);
        })
        .catch(function () {
          // Twice running: the held question does not get through here; poll the app instead.
          failures += 1;
          if (failures >= 2) { fallBack(); } else { window.setTimeout(ask, 1000); }
        });
    }
    ask();
  }

  function followAsPupil(root) {
    var followUrl = root.getAttribute("data-live-follow-url");
    var shownPosition = parseInt(root.getAttribute("data-live-position"), 10);
    var shownEnded = root.getAttribute("data-live-ended") === "true";
    var viewing = root.hasAttribute("data-live-viewing");
    var pausedNote = root.querySelector("[data-live-paused-note]");
    var quizForm = root.querySelector("form.quiz-form");
    var typed = false;
    var leaving = false;

    if (quizForm) {
      quizForm.addEventListener("change", function () { typed = true; });
      quizForm.addEventListener("submit", function () { leaving = true; });
    }

    function onState(state) {
      if (leaving) { return; }
      if (pausedNote) { pausedNote.hidden = !state.paused; }
      if (state.ended !== shownEnded || (!viewing && state.position !== shownPosition)) {
        if (typed) {
          // Half-answered questions are never thrown away: the pupil sends them, then follows.
          var note = root.querySelector("[data-live-moved-note]");
          if (note) { note.hidden = false; }
          return;
        }
        leaving = true;
        window.location.replace(followUrl);
      }
    }

    if (root.hasAttribute("data-live-events-url")) {
      waitForMoves(root, onState, function () { poll(root, PUPIL_EVERY_MS, onState); });
    } else {
      poll(root, PUPIL_EVERY_MS, onState);
    }
  }

  function followAsTeacher(root) {
    var version = parseInt(root.getAttribute("data-live-version"), 10);
    var ended = root.getAttribute("data-live-ended") === "true";
    var following = root.querySelectorAll("[data-live-following]");
    var answered = root.querySelectorAll("[data-live-answered]");
    var answeredAtLoad = answered.length ? parseInt(answered[0].textContent, 10) : null;
    var totalsShown = root.querySelector("[data-live-totals]") !== null;

    function show(nodes, value) {
      for (var i = 0; i < nodes.length; i += 1) { nodes[i].textContent = String(value); }
    }

    // The controls and the projector window tell each other their version as each loads, so the projector
    // follows the teacher's press at once; their polls only catch counts and moves made on another device.
    if (window.BroadcastChannel) {
      var channel = new window.BroadcastChannel("live:" + root.getAttribute("data-live-state-url"));
      channel.onmessage = function (event) {
        if (event.data && event.data.version > version) { window.location.reload(); }
      };
      channel.postMessage({version: version});
    }

    var every = parseInt(root.getAttribute("data-live-every"), 10) || TEACHER_EVERY_MS;
    poll(root, every, function (state) {
      var newAnswers = totalsShown && state.answered !== answeredAtLoad;
      if (state.version !== version || state.ended !== ended || newAnswers) {
        // Moved from another window (the controls, or a second teacher), or the totals on show changed.
        window.location.reload();
        return;
      }
      show(following, state.following);
      show(answered, state.answered);
    });
  }

  var pupil = document.querySelector("[data-live-pupil]");
  if (pupil && window.fetch) { followAsPupil(pupil); }
  var teacher = document.querySelector("[data-live-teacher]");
  if (teacher && window.fetch) { followAsTeacher(teacher); }
})();
