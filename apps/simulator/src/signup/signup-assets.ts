/** The Embedded Signup popup and a stand-in for Meta's JS SDK (`FB.init`, `FB.login`). No external resources. */

export const SIGNUP_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; background: #f0f2f5; color: #1c1e21; }
.card { max-width: 460px; margin: 24px auto; background: #fff; border-radius: 10px; box-shadow: 0 2px 12px rgba(0,0,0,.12); overflow: hidden; }
.head { background: #1877f2; color: #fff; padding: 16px 20px; display: flex; gap: 12px; align-items: center; }
.logo { width: 34px; height: 34px; border-radius: 50%; background: #fff; color: #1877f2; font-weight: 800; font-size: 22px; display: flex; align-items: center; justify-content: center; }
.body { padding: 18px 20px 22px; }
h1 { font-size: 18px; margin: 0; }
p { color: #606770; font-size: 14px; line-height: 1.45; }
label { display: block; font-size: 13px; color: #606770; margin: 12px 0 4px; }
input, select { width: 100%; padding: 10px; border: 1px solid #ccd0d5; border-radius: 6px; font-size: 15px; }
.step { display: none; } .step.active { display: block; }
.actions { display: flex; justify-content: space-between; margin-top: 20px; gap: 10px; }
button { border: 0; border-radius: 6px; padding: 10px 18px; font-size: 15px; font-weight: 600; cursor: pointer; }
.primary { background: #1877f2; color: #fff; } .secondary { background: #e4e6eb; color: #1c1e21; }
.steps { display: flex; gap: 6px; margin-bottom: 6px; } .steps span { flex: 1; height: 4px; background: #e4e6eb; border-radius: 2px; } .steps span.on { background: #1877f2; }
.done { text-align: center; } .done .ok { font-size: 44px; color: #42b72a; }
code { background: #f0f2f5; padding: 1px 5px; border-radius: 4px; font-size: 12.5px; }
`;

export function signupHtml(appName: string): string {
  const safe = appName.replace(/[<>&"]/g, '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect WhatsApp · ${safe}</title><link rel="stylesheet" href="/embedded-signup/signup.css"></head><body>
<div class="card"><div class="head"><div class="logo">f</div><div><h1>Connect WhatsApp to ${safe}</h1><div style="font-size:13px;opacity:.9">Simulated Embedded Signup</div></div></div>
<div class="body">
<div class="steps"><span class="on"></span><span></span><span></span></div>
<div class="step active" data-step="BUSINESS_ACCOUNT_SELECTION"><p>${safe} is requesting access to manage your WhatsApp Business accounts and send messages.</p>
<label for="business">Business portfolio</label><select id="business"></select>
<label for="businessName">New business name</label><input id="businessName" placeholder="My Shop"></div>
<div class="step" data-step="PHONE_NUMBER_SETUP"><label for="verifiedName">WhatsApp display name</label><input id="verifiedName" placeholder="My Shop">
<label for="phone">Business phone number (digits)</label><input id="phone" inputmode="tel"><p>The simulator skips the SMS code: the number is verified immediately.</p></div>
<div class="step done" data-step="FINISH"><div class="ok">&#10004;</div><p>Your WhatsApp Business account is connected. You can close this window.</p><p id="ids"></p></div>
<div class="actions"><button class="secondary" id="cancel">Cancel</button><button class="primary" id="next">Continue</button></div>
</div></div><script src="/embedded-signup/signup.js"></script></body></html>`;
}

export const SIGNUP_JS = `(function () {
  'use strict';
  var q = new URLSearchParams(location.search);
  var appId = q.get('app_id') || '';
  var step = 0;
  var steps = document.querySelectorAll('.step');
  var bars = document.querySelectorAll('.steps span');
  var select = document.getElementById('business');
  // Like Meta's dialog, post only to the page that opened the popup (its origin, named by the SDK):
  // a page that navigated elsewhere in the meantime gets nothing, least of all the code.
  var target = null;
  try { var o = new URL(q.get('origin') || ''); if (o.protocol === 'http:' || o.protocol === 'https:') target = o.origin; } catch (e) { target = null; }
  function post(message) {
    if (window.opener && target) window.opener.postMessage(typeof message === 'string' ? message : JSON.stringify(message), target);
  }
  function show(i) {
    step = i;
    steps.forEach(function (s, j) { s.classList.toggle('active', j === i); });
    bars.forEach(function (b, j) { b.classList.toggle('on', j <= i); });
    document.getElementById('next').textContent = i === 2 ? 'Close' : i === 1 ? 'Finish' : 'Continue';
    document.getElementById('cancel').style.visibility = i === 2 ? 'hidden' : 'visible';
  }
  fetch('/_sim/state').then(function (r) { return r.json(); }).then(function (s) {
    s.businesses.forEach(function (b) { var o = document.createElement('option'); o.value = b.id; o.textContent = b.name + ' (' + b.id + ')'; select.appendChild(o); });
    var o = document.createElement('option'); o.value = ''; o.textContent = 'Create a new business portfolio'; select.appendChild(o);
    document.getElementById('phone').value = '1555' + String(Math.floor(1000000 + Math.random() * 8999999));
  });
  document.getElementById('cancel').onclick = function () {
    post({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: steps[step].getAttribute('data-step') }, version: '3' });
    post({ type: 'SIM_FB_LOGIN', authResponse: null, status: 'unknown' });
    window.close();
  };
  document.getElementById('next').onclick = function () {
    if (step === 0) return show(1);
    if (step === 2) return window.close();
    fetch('/embedded-signup/complete', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        appId: appId,
        businessId: select.value || null,
        businessName: document.getElementById('businessName').value,
        verifiedName: document.getElementById('verifiedName').value,
        phone: document.getElementById('phone').value
      })
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (res.error) { alert(res.error.message); return; }
      post({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { phone_number_id: res.phone_number_id, waba_id: res.waba_id, business_id: res.business_id }, version: '3' });
      post({ type: 'SIM_FB_LOGIN', authResponse: { code: res.code, userID: res.user_id, expiresIn: 30 }, status: 'connected' });
      document.getElementById('ids').textContent = 'phone_number_id ' + res.phone_number_id + ' · waba_id ' + res.waba_id;
      show(2);
    });
  };
})();`;

/** Minimal stand-in for https://connect.facebook.net/en_US/sdk.js: FB.init + FB.login opening the simulated popup. */
export function sdkJs(baseUrl: string): string {
  return `(function () {
  'use strict';
  var base = ${JSON.stringify(baseUrl)};
  var appId = null;
  window.FB = {
    init: function (opts) { appId = opts && opts.appId; },
    login: function (callback, opts) {
      var url = base + '/embedded-signup?app_id=' + encodeURIComponent(appId || '') + '&config_id=' + encodeURIComponent((opts && opts.config_id) || '') + '&origin=' + encodeURIComponent(location.origin);
      var done = false;
      var watch = null;
      function finish(response) {
        if (done) return;
        done = true;
        window.removeEventListener('message', onMessage);
        if (watch) clearInterval(watch);
        callback(response);
      }
      function onMessage(event) {
        if (event.origin !== base) return;
        var data; try { data = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch (e) { return; }
        if (!data || data.type !== 'SIM_FB_LOGIN') return;
        finish({ authResponse: data.authResponse, status: data.status });
      }
      window.addEventListener('message', onMessage);
      var popup = window.open(url, 'wa_embedded_signup', 'width=520,height=720');
      // As Meta's SDK does: a blocked popup, or one closed before it answered, ends the login without a code.
      if (!popup) { finish({ authResponse: null, status: 'unknown' }); return null; }
      watch = setInterval(function () { if (popup.closed) finish({ authResponse: null, status: 'unknown' }); }, 250);
      return popup;
    },
    getLoginStatus: function (callback) { callback({ status: 'unknown', authResponse: null }); }
  };
  if (typeof window.fbAsyncInit === 'function') window.fbAsyncInit();
})();`;
}
