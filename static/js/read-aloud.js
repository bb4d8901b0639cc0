// "Read aloud" for lesson steps, using the browser's own speech synthesis. The button is made here,
// and only where speech is available, so without it (or without JavaScript) nothing broken shows.
(function () {
  "use strict";

  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") { return; }

  document.querySelectorAll("[data-read-aloud]").forEach(function (body) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary read-aloud";
    button.textContent = "Read aloud";

    function reset() { button.textContent = "Read aloud"; }

    button.addEventListener("click", function () {
      if (synth.speaking || synth.pending) {
        synth.cancel();
        reset();
        return;
      }
      var utterance = new window.SpeechSynthesisUtterance(body.innerText);
      utterance.lang = document.documentElement.lang || "en-GB";
      utterance.onend = reset;
      utterance.onerror = reset;
      button.textContent = "Stop reading";
      synth.speak(utterance);
    });

    body.parentNode.insertBefore(button, body);
  });

  // Stop talking when the pupil leaves the page (including a quick exit).
  window.addEventListener("pagehide", function () { synth.cancel(); });
})();
