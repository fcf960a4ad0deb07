// 3DS Method: read a few browser properties, give them to the ACS, then tell the merchant we are
// done. The merchant's 3DS Server waits at most 5-10 s, so the post back never waits longer than 2.5 s;
// the collect request is keepalive, so it still reaches the ACS when the post back leaves the page first.
(function () {
  var form = document.getElementById('notify');
  if (!form) return;
  var done = false;
  function finish() {
    if (done) return;
    done = true;
    form.submit();
  }
  setTimeout(finish, 2500);
  try {
    var nav = window.navigator;
    var props = {
      screenWidth: screen.width,
      screenHeight: screen.height,
      colorDepth: screen.colorDepth,
      devicePixelRatio: window.devicePixelRatio,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      timeZoneOffset: new Date().getTimezoneOffset(),
      language: nav.language,
      languages: nav.languages ? Array.prototype.slice.call(nav.languages, 0, 5) : [],
      platform: nav.userAgentData ? nav.userAgentData.platform : nav.platform,
      mobile: nav.userAgentData ? nav.userAgentData.mobile : undefined,
      hardwareConcurrency: nav.hardwareConcurrency,
      maxTouchPoints: nav.maxTouchPoints,
      cookieEnabled: nav.cookieEnabled,
    };
    var body = new URLSearchParams();
    body.set('threeDSServerTransID', form.getAttribute('data-trans-id'));
    body.set('token', form.getAttribute('data-token'));
    body.set('props', JSON.stringify(props));
    fetch(form.getAttribute('data-collect'), { method: 'POST', body: body, credentials: 'omit', keepalive: true }).then(finish, finish);
  } catch (e) {
    finish();
  }
})();
