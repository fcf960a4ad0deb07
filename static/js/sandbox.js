// The sandbox checkout: runs the 3DS Method and the challenge with globalpayments-3ds, as a
// merchant's checkout would, then shows every message of the exchange (PAN masked) in order.
(function () {
  var form = document.getElementById('checkout');
  if (!form || !window.GlobalPayments) return;
  var lib = window.GlobalPayments.ThreeDSecure;
  var outcome = document.getElementById('outcome');
  var list = document.getElementById('exchange');
  var frame = document.getElementById('challenge-frame');

  // EMV challengeWindowSize in CSS pixels (width × height). globalpayments-3ds 1.8 swaps width
  // and height for the windowed sizes, so the checkout sets the frame as EMV defines it.
  var SIZES = {
    WINDOWED_250X400: [250, 400],
    WINDOWED_390X400: [390, 400],
    WINDOWED_500X600: [500, 600],
    WINDOWED_600X400: [600, 400],
  };
  new MutationObserver(function () {
    var iframe = frame.querySelector('iframe');
    if (!iframe || iframe.getAttribute('data-sized')) return;
    var size = SIZES[value('windowSize')];
    iframe.setAttribute('data-sized', 'true');
    iframe.setAttribute('title', 'EMV 3-D Secure');
    frame.classList.toggle('full', !size);
    if (size) {
      iframe.setAttribute('width', String(size[0]));
      iframe.setAttribute('height', String(size[1]));
    }
  }).observe(frame, { childList: true });

  function value(id) {
    return document.getElementById(id).value.trim();
  }
  function say(text) {
    outcome.textContent = text;
    outcome.className = '';
  }

  function render(messages) {
    list.textContent = '';
    var start = messages.length ? messages[0].at : 0;
    messages.forEach(function (m) {
      var li = document.createElement('li');
      var head = document.createElement('details');
      var summary = document.createElement('summary');
      summary.textContent = '+' + (m.at - start) + ' ms  ' + m.messageType + '  (' + m.step + ')' + (m.ms != null ? '  ' + m.ms + ' ms' : '');
      var pre = document.createElement('pre');
      pre.textContent = typeof m.body === 'string' ? m.body : JSON.stringify(m.body, null, 2);
      head.appendChild(summary);
      head.appendChild(pre);
      li.appendChild(head);
      li.setAttribute('data-type', m.messageType);
      list.appendChild(li);
    });
  }

  function poll(id, rounds) {
    fetch('/sandbox/exchange/' + id, { headers: { accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        render(data.messages);
        var done = data.messages.some(function (m) { return m.messageType === 'RRes'; });
        if (!done && rounds > 0 && data.expectRReq) setTimeout(function () { poll(id, rounds - 1); }, 1000);
      });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var button = document.getElementById('buy');
    button.disabled = true;
    frame.textContent = '';
    list.textContent = '';
    var pan = value('pan') || value('card');
    say('3DS Method…');
    lib
      .checkVersion('/sandbox/merchant/check-version', { card: { number: pan }, methodWindow: { hide: true, timeout: 10000 } })
      .then(function (version) {
        say('AReq → ACS…');
        return lib.initiateAuthentication('/sandbox/merchant/initiate-authentication', {
          serverTransactionId: version.serverTransactionId,
          methodUrlComplete: true,
          card: { number: pan },
          amount: value('amount'),
          currency: value('currency'),
          merchantName: value('merchantName'),
          challengeInd: value('challengeInd'),
          messageVersion: value('messageVersion'),
          dsMode: value('dsMode'),
          challengeNotificationUrl: location.origin + '/sandbox/merchant/challenge-notification',
          challengeWindow: { windowSize: value('windowSize'), displayMode: 'embedded', target: '#challenge-frame' },
        }).then(function (auth) {
          var id = version.serverTransactionId;
          if (auth.status === 'CHALLENGE_REQUIRED') {
            var cres = auth.challenge && auth.challenge.response && auth.challenge.response.data;
            var status = cres && cres.transStatus ? cres.transStatus : cres && cres.errorCode ? 'Erro ' + cres.errorCode : '?';
            say('Challenge finished: transStatus ' + status);
            outcome.setAttribute('data-trans-status', status);
          } else if (auth.ares) {
            var a = auth.ares;
            say('Frictionless: transStatus ' + a.transStatus + (a.transStatusReason ? ' / reason ' + a.transStatusReason : '') + (a.eci ? ' / ECI ' + a.eci : ''));
            outcome.setAttribute('data-trans-status', a.transStatus);
          } else {
            var er = auth.erro || {};
            say('Erro ' + er.errorCode + ': ' + er.errorDescription + ' (' + er.errorDetail + ')');
            outcome.setAttribute('data-trans-status', 'Erro ' + er.errorCode);
          }
          poll(id, 90); // RReq retries back off 10 s, 20 s, 40 s: keep watching for a while
        });
      })
      .catch(function (err) {
        say('Error: ' + (err.reasons ? err.reasons.map(function (r) { return r.message; }).join('; ') : err.message));
      })
      .then(function () {
        button.disabled = false;
      });
  });
})();
