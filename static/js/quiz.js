// Quiz pages, better with JavaScript. Every question works without this file:
// - order questions get "Move up" / "Move down" buttons that keep the numbered selects in sync,
//   and a live region says where the step is now;
// - a "x of n answered" counter.
(function () {
  "use strict";

  var form = document.querySelector("form.quiz-form");
  if (!form) { return; }

  // The page's own words (in its language), or English: {step}, {number} and {total} are filled in here.
  function words(name, english) {
    return form.getAttribute("data-" + name) || english;
  }

  function fill(text, values) {
    // One pass, so a step's own text is never filled in again.
    return text.replace(/\{(step|number|total)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function stepText(item) {
    return item.querySelector(".order-text").textContent.trim();
  }

  function enhanceOrder(fieldset) {
    var list = fieldset.querySelector(".order-steps");
    var announcer = document.createElement("p");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    fieldset.appendChild(announcer);

    function items() {
      return Array.prototype.slice.call(list.querySelectorAll(".order-step"));
    }

    // Number the selects 1..n in the order the steps are shown.
    function renumber() {
      items().forEach(function (item, index) {
        item.querySelector("select").value = String(index + 1);
      });
      updateCounter();
    }

    function say(item) {
      var all = items();
      announcer.textContent = fill(words("now-at", "“{step}” is now number {number} of {total}."),
        {step: stepText(item), number: all.indexOf(item) + 1, total: all.length});
    }

    function move(item, delta, button) {
      sortByNumbers();
      var all = items();
      var index = all.indexOf(item);
      var target = index + delta;
      if (target < 0 || target >= all.length) {
        announcer.textContent = fill(delta < 0 ? words("already-first", "“{step}” is already first.")
          : words("already-last", "“{step}” is already last."), {step: stepText(item)});
        renumber();
        return;
      }
      if (delta < 0) { list.insertBefore(item, all[target]); } else { list.insertBefore(item, all[target].nextSibling); }
      renumber();
      say(item);
      if (button) { button.focus(); }
    }

    function sortByNumbers() {
      var numbers = items().map(function (item) { return item.querySelector("select").value; });
      var distinct = numbers.filter(function (n, i) { return n !== "" && numbers.indexOf(n) === i; });
      if (distinct.length !== numbers.length) { return; }
      var active = document.activeElement;
      items()
        .sort(function (a, b) { return a.querySelector("select").value - b.querySelector("select").value; })
        .forEach(function (item) { list.appendChild(item); });
      if (active && active !== document.activeElement) { active.focus(); }
    }

    // A page that came back with a number for every step (after an error) shows them in order.
    sortByNumbers();

    items().forEach(function (item) {
      var text = stepText(item);
      var controls = document.createElement("span");
      controls.className = "order-move";
      [["up", -1, words("move-up", "Move up")], ["down", 1, words("move-down", "Move down")]].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button-secondary order-button";
        button.setAttribute("data-move", spec[0]);
        button.appendChild(document.createTextNode(spec[2]));
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = ": " + text;
        button.appendChild(hidden);
        button.addEventListener("click", function () { move(item, spec[1], button); });
        controls.appendChild(button);
      });
      item.appendChild(controls);

      // Numbers chosen in the selects stay exactly as chosen; once every step has its own
      // number, the list is shown in that order so the buttons carry on from there.
      item.querySelector("select").addEventListener("change", sortByNumbers);
    });
    fieldset.classList.add("order-enhanced");
  }

  function answered(fieldset) {
    var selects = fieldset.querySelectorAll("select");
    if (selects.length) {
      return Array.prototype.every.call(selects, function (s) { return s.value !== ""; });
    }
    return fieldset.querySelector("input:checked") !== null;
  }

  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var counter = document.querySelector("[data-quiz-progress]");

  function updateCounter() {
    if (!counter) { return; }
    var done = questions.filter(answered).length;
    // The page's own words (in its language), or English.
    var words = counter.getAttribute("data-words") || "{done} of {total} answered";
    counter.textContent = words.replace("{done}", done).replace("{total}", questions.length);
    counter.classList.toggle("quiz-progress-done", done === questions.length);
  }

  form.querySelectorAll("fieldset.question-order").forEach(enhanceOrder);
  form.addEventListener("change", updateCounter);
  if (counter) { counter.hidden = false; }
  updateCounter();
})();
