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
    // The button's words come from the page, in its language (English if the page gives none).
    var readLabel = body.getAttribute("data-read-label") || "Read aloud";
    var stopLabel = body.getAttribute("data-stop-label") || "Stop reading";
    button.textContent = readLabel;
    // Where the device has no voice for the words' language (Welsh, on most), say so plainly rather than read
    // Welsh with an English voice, which no pupil could follow.
    var note = document.createElement("p");
    note.className = "read-aloud-note";
    note.setAttribute("role", "status");

    function reset() { button.textContent = readLabel; }

    button.addEventListener("click", function () {
      if (synth.speaking || synth.pending) {
        synth.cancel();
        reset();
        return;
      }
      var utterance = new window.SpeechSynthesisUtterance(body.innerText);
      // The words' own language: a lesson still in English on a Welsh page is read with an English voice.
      var marked = body.closest("[lang]");
      utterance.lang = (marked && marked.lang) || "en-GB";
      if (!isEnglish(utterance.lang)) {
        var voice = voiceFor(utterance.lang);
        if (!voice) {
          note.textContent = body.getAttribute("data-no-voice-label") || "This device has no voice for this language.";
          return;
        }
        utterance.voice = voice;
      }
      utterance.onend = reset;
      utterance.onerror = reset;
      button.textContent = stopLabel;
      synth.speak(utterance);
    });

    body.parentNode.insertBefore(button, body);
    body.parentNode.insertBefore(note, body);
  });

  function baseLanguage(tag) { return String(tag || "").toLowerCase().replace("_", "-").split("-")[0]; }

  function isEnglish(tag) { return baseLanguage(tag) === "en"; }

  // A voice of the device for this language, or null. English keeps the browser's default choice.
  function voiceFor(tag) {
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (baseLanguage(voices[i].lang) === baseLanguage(tag)) { return voices[i]; }
    }
    return null;
  }

  // Stop talking when the pupil leaves the page (including a quick exit).
  window.addEventListener("pagehide", function () { synth.cancel(); });
})();
