// The sandbox checkout: runs the 3DS Method and the challenge with globalpayments-3ds, as a
// merchant's checkout would, then shows every message of the exchange (PAN masked) in order.
// Which purchase ran is spelled out above the outcome; the outcome line carries data attributes
// for scripts and tests: data-card, data-trans-status, data-reason, data-eci, data-acs-trans-id.
(function () {
  var form = document.getElementById('checkout');
  if (!form || !window.GlobalPayments) return;
  var lib = window.GlobalPayments.ThreeDSecure;
  var outcome = document.getElementById('outcome');
  var list = document.getElementById('exchange');
  var frame = document.getElementById('challenge-frame');
  var run = document.getElementById('run');
  var hint = document.getElementById('card-hint');
  var cardSelect = document.getElementById('card');

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
    say('チャレンジ中：下の枠で認証してください / challenge: authenticate in the frame below');
    if (active && active.refresh) active.refresh(); // show the ARes and CReq now
    // On a phone the frame opens below the checkout form: bring it into view.
    var box = frame.getBoundingClientRect();
    if (box.top > window.innerHeight - 100 || box.top < 0) outcome.scrollIntoView({ block: 'start' });
  }).observe(frame, { childList: true });

  // Messages that mean something went wrong between the parties, shown in red.
  var TROUBLE = { 'HTTP 500': true, 'not an RRes': true, Erro: true };
  var OUTCOME_ATTRIBUTES = ['data-card', 'data-trans-status', 'data-reason', 'data-eci', 'data-acs-trans-id', 'data-error'];
  // Each purchase gets a number; an older purchase's polling stops when a newer one starts.
  var current = 0;
  var active;

  function value(id) {
    return document.getElementById(id).value.trim();
  }
  function selected(id) {
    var select = document.getElementById(id);
    return select.options[select.selectedIndex];
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  /** The selected card's member ID, password and expected outcome, under the card menu. */
  function updateHint() {
    var option = selected('card');
    hint.textContent = '';
    if (!option.value) {
      hint.appendChild(el('span', 'hint-member', 'カード番号を下に入力 / type the card number below'));
      return;
    }
    hint.appendChild(el('span', 'hint-member', option.getAttribute('data-member')));
    hint.appendChild(el('span', 'hint-outcome', '想定 / expected: ' + option.getAttribute('data-outcome')));
  }
  cardSelect.addEventListener('change', updateHint);

  function say(text, tone) {
    outcome.textContent = text;
    outcome.className = 'outcome' + (tone ? ' ' + tone : '');
  }
  function toneOf(transStatus) {
    if (transStatus === 'Y') return 'ok';
    if (transStatus === 'C' || !transStatus) return '';
    return 'bad';
  }
  function setData(name, v) {
    if (v == null || v === '') outcome.removeAttribute(name);
    else outcome.setAttribute(name, String(v));
  }

  /** What is being run, in words: card, purpose, expected outcome, purchase and settings. */
  function showRun(pan) {
    var option = selected('card');
    var typed = value('pan');
    var rows = [
      ['カード / card', typed ? 'typed PAN …' + typed.slice(-4) : option.getAttribute('data-label')],
      ['用途 / purpose', typed ? '—' : option.getAttribute('data-purpose')],
      ['想定 / expected', typed ? '—' : option.getAttribute('data-outcome')],
      ['購入 / purchase', value('amount') + ' ' + selected('currency').textContent + ' · ' + value('merchantName')],
      [
        '設定 / settings',
        'v' + value('messageVersion') + ' · challengeInd ' + value('challengeInd') + ' · window ' + selected('windowSize').textContent.trim() + ' · DS: ' + selected('dsMode').textContent,
      ],
    ];
    run.textContent = '';
    rows.forEach(function (r) {
      run.appendChild(el('dt', null, r[0]));
      run.appendChild(el('dd', null, r[1]));
    });
    run.hidden = false;
    return pan;
  }
  function addRunRow(label, text, id) {
    var existing = id && document.getElementById(id);
    if (existing) {
      existing.textContent = text;
      return;
    }
    run.appendChild(el('dt', null, label));
    var dd = el('dd', 'mono', text);
    if (id) dd.id = id;
    run.appendChild(dd);
  }

  function since(ms) {
    return ms < 1000 ? '+' + ms + ' ms' : '+' + (ms / 1000).toFixed(1) + ' s';
  }

  /**
   * Appends the messages not shown yet (the list only grows, so an opened message stays open).
   * Each line has its time from the first message and its clock time in the issuer's time zone.
   */
  function render(messages, timeZone) {
    var start = messages.length ? messages[0].at : 0;
    for (var i = list.children.length; i < messages.length; i++) {
      var m = messages[i];
      var li = el('li', 'msg' + (TROUBLE[m.messageType] ? ' trouble' : ''));
      li.setAttribute('data-type', m.messageType);
      var details = el('details');
      var summary = el('summary');
      summary.appendChild(el('span', 'msg-time', since(m.at - start)));
      summary.appendChild(el('strong', 'msg-type', m.messageType));
      var clock = m.time ? ' · ' + m.time.slice(11) + (timeZone ? ' ' + timeZone : '') : '';
      summary.appendChild(el('span', 'msg-step', m.step + (m.ms != null ? ' · ' + m.ms + ' ms' : '') + clock));
      if (m.summary) summary.appendChild(el('span', 'msg-summary', m.summary));
      details.appendChild(summary);
      details.appendChild(el('pre', null, typeof m.body === 'string' ? m.body : JSON.stringify(m.body, null, 2)));
      li.appendChild(details);
      list.appendChild(li);
    }
  }

  function lastOf(messages, type) {
    for (var i = messages.length - 1; i >= 0; i--) if (messages[i].messageType === type) return messages[i];
    return undefined;
  }

  /** The IDs and, once the DS has the RReq, the final reason and ECI, which a CRes does not carry. */
  function learn(purchase, messages) {
    var ares = lastOf(messages, 'ARes');
    if (ares && ares.body && ares.body.acsTransID && !purchase.acsTransID) {
      purchase.acsTransID = ares.body.acsTransID;
      setData('data-acs-trans-id', purchase.acsTransID);
      addRunRow('acsTransID', purchase.acsTransID, 'run-acs-trans-id');
    }
    // A decision in the ARes: the line gets the meaning of each code once the exchange is in.
    if (purchase.frictionless && ares && ares.summary && !purchase.aresShown) {
      purchase.aresShown = true;
      say('チャレンジなし / no challenge — ARes: ' + ares.summary, toneOf(ares.body && ares.body.transStatus));
    }
    var rreq = lastOf(messages, 'RReq');
    if (purchase.challengeStatus && rreq && rreq.body && !purchase.rreqShown) {
      purchase.rreqShown = true;
      setData('data-reason', rreq.body.transStatusReason);
      setData('data-eci', rreq.body.eci);
      say(outcome.textContent + ' — RReq: ' + rreq.summary, toneOf(purchase.challengeStatus));
    }
  }

  /** Polls the exchange while the purchase runs and until the ACS has the DS's answer to its RReq. */
  function watch(purchase) {
    var started = Date.now();
    function tick() {
      purchase.timer = undefined;
      if (purchase.n !== current) return;
      fetch('/sandbox/exchange/' + encodeURIComponent(purchase.id), { headers: { accept: 'application/json' } })
        .then(function (r) {
          return r.json();
        })
        .then(function (data) {
          if (purchase.n !== current) return;
          render(data.messages, data.timeZone);
          learn(purchase, data.messages);
          var more = !purchase.finished || data.rreqPending;
          // RReq retries back off 10 s, 20 s, 40 s…: keep watching for up to ten minutes.
          if (more && Date.now() - started < 600000) purchase.timer = setTimeout(tick, Date.now() - started < 60000 ? 1000 : 3000);
        })
        .catch(function () {
          if (purchase.n === current) purchase.timer = setTimeout(tick, 3000);
        });
    }
    purchase.refresh = function () {
      if (purchase.timer) clearTimeout(purchase.timer);
      tick();
    };
    tick();
  }

  var CHECKS = [
    { id: 'amount', ok: function (v) { return /^\d+(\.\d+)?$/.test(v) && Number(v) > 0; }, ja: '金額を数字で入力してください（例：12800）', en: 'Enter the amount in digits (e.g. 12800).' },
    { id: 'pan', ok: function (v) { return v === '' ? value('card') !== '' : /^\d{13,19}$/.test(v.replace(/\s/g, '')); }, ja: 'カード番号は13〜19桁の数字です', en: 'A card number is 13 to 19 digits.' },
    { id: 'merchantName', ok: function (v) { return v.length > 0; }, ja: '加盟店名を入力してください', en: 'Enter a merchant name.' },
  ];

  /** Checks the form as a person filled it: a message under each field that is wrong. */
  function checkForm() {
    var first;
    CHECKS.forEach(function (check) {
      var input = document.getElementById(check.id);
      var error = document.getElementById(check.id + '-error');
      var ok = check.ok(input.value.trim());
      if (ok) {
        if (error) error.remove();
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
        return;
      }
      if (!error) {
        error = el('p', 'field-error');
        error.id = check.id + '-error';
        error.appendChild(el('span', null, check.ja));
        error.appendChild(el('span', 'en', check.en));
        input.insertAdjacentElement('afterend', error);
      }
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', error.id);
      first = first || input;
    });
    if (first) first.focus();
    return !first;
  }

  /** globalpayments-3ds wraps an HTTP error in `reasons`; the sandbox's 400 names the fields in JSON. */
  function describeError(err) {
    if (!err || !err.reasons) return (err && err.message) || String(err);
    var fields = [];
    var texts = [];
    err.reasons.forEach(function (r) {
      var message = String(r.message || '');
      try {
        var body = JSON.parse(message);
        if (body && body.fields) body.fields.forEach(function (f) { fields.push(f.field + ' (' + f.message + ')'); });
        else texts.push(message);
      } catch (_) {
        if (!/see `reasons`/.test(message)) texts.push(message);
      }
    });
    return fields.length ? '入力を確認してください / check these fields: ' + fields.join('; ') : texts.join('; ');
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!checkForm()) return;
    var button = document.getElementById('buy');
    button.disabled = true;
    frame.textContent = '';
    frame.classList.remove('full');
    list.textContent = '';
    OUTCOME_ATTRIBUTES.forEach(function (name) {
      outcome.removeAttribute(name);
    });
    var pan = showRun(value('pan').replace(/\s/g, '') || value('card'));
    var key = value('pan') ? 'typed' : selected('card').getAttribute('data-key');
    setData('data-card', key);
    var purchase = (active = { n: ++current, finished: false });
    say('3DS Method…');
    lib
      .checkVersion('/sandbox/merchant/check-version', { card: { number: pan }, methodWindow: { hide: true, timeout: 10000 } })
      .then(function (version) {
        purchase.id = version.serverTransactionId;
        addRunRow('threeDSServerTransID', purchase.id, 'run-server-trans-id');
        watch(purchase);
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
        });
      })
      .then(function (auth) {
        if (auth.status === 'CHALLENGE_REQUIRED') {
          var cres = auth.challenge && auth.challenge.response && auth.challenge.response.data;
          var status = cres && cres.transStatus ? cres.transStatus : cres && cres.errorCode ? 'Erro ' + cres.errorCode : '?';
          purchase.challengeStatus = status;
          say('チャレンジ完了 / challenge finished — final CRes: transStatus ' + status, toneOf(status));
          setData('data-trans-status', status);
          if (auth.acsTransactionId) setData('data-acs-trans-id', auth.acsTransactionId);
        } else if (auth.ares) {
          var a = auth.ares;
          purchase.frictionless = true;
          var parts = ['transStatus ' + a.transStatus];
          if (a.transStatusReason) parts.push('reason ' + a.transStatusReason);
          if (a.eci) parts.push('ECI ' + a.eci);
          say('チャレンジなし / no challenge — ARes: ' + parts.join(' · '), toneOf(a.transStatus));
          setData('data-trans-status', a.transStatus);
          setData('data-reason', a.transStatusReason);
          setData('data-eci', a.eci);
          setData('data-acs-trans-id', a.acsTransID);
        } else if (auth.erro) {
          var er = auth.erro;
          say('Erro ' + er.errorCode + ': ' + er.errorDescription + ' (' + er.errorDetail + ')', 'bad');
          setData('data-trans-status', 'Erro ' + er.errorCode);
        } else {
          throw new Error('unexpected answer: ' + JSON.stringify(auth).slice(0, 200));
        }
      })
      .catch(function (err) {
        var text = describeError(err);
        say('エラー / error: ' + text, 'bad');
        setData('data-error', text);
      })
      .then(function () {
        purchase.finished = true;
        if (purchase.refresh) purchase.refresh();
        button.disabled = false;
      });
  });
})();
