// Challenge page. (Without JavaScript every form posts, the answer page opens at #answer, and a
// button posts the final CRes.)
// - Posts the final CRes to the merchant as soon as it is on the page, whether it arrived with a
//   full page load or through an htmx swap.
// - After an answer, brings the message and the field to fix into view and puts the cursor there:
//   in a 400-px-tall frame they would otherwise be below the fold.
// - The live region (#announce) is outside the swapped part and gets its new text from the same
//   response (hx-select-oob); it is emptied while a step runs, so each answer is read out.
(function () {
  function autosubmit() {
    var form = document.querySelector('form[data-autosubmit]');
    if (form && !form.getAttribute('data-submitted')) {
      form.setAttribute('data-submitted', 'true');
      form.submit();
    }
  }

  function showAnswer() {
    var answer = document.getElementById('answer');
    if (!answer) return;
    var field = document.querySelector('#challenge input[aria-describedby*="-error"]') || document.querySelector('#challenge #secret');
    answer.scrollIntoView({ block: 'start' });
    if (field) {
      field.scrollIntoView({ block: 'nearest' });
      field.focus({ preventScroll: true });
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    autosubmit();
    // A full-page answer (no htmx) opens at #answer; the first page has nothing to bring up.
    if (location.hash === '#answer') showAnswer();
  });
  // Emptied while the step runs, so that an answer worded like the last one is still read out.
  document.addEventListener('htmx:beforeRequest', function () {
    var region = document.getElementById('announce');
    if (region) region.textContent = '';
  });
  document.addEventListener('htmx:afterSettle', function () {
    autosubmit();
    showAnswer();
  });
})();
