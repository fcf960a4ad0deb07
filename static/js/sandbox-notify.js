// The sandbox merchant's notification page: hand the result to the checkout page, as
// globalpayments-3ds's handleChallengeNotification / handleMethodNotification would.
(function () {
  var el = document.getElementById('notification');
  if (!el || window.parent === window) return;
  window.parent.postMessage({ event: el.getAttribute('data-event'), data: JSON.parse(el.getAttribute('data-message') || '{}') }, window.location.origin);
})();
