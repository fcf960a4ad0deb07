// Challenge page: post the final CRes to the merchant as soon as it is on the page, whether it
// arrived with a full page load or through an htmx swap. (Without JavaScript a button does it.)
(function () {
  function autosubmit() {
    var form = document.querySelector('form[data-autosubmit]');
    if (form && !form.getAttribute('data-submitted')) {
      form.setAttribute('data-submitted', 'true');
      form.submit();
    }
  }
  document.addEventListener('DOMContentLoaded', autosubmit);
  document.addEventListener('htmx:afterSettle', autosubmit);
})();
