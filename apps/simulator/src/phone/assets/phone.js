// Customer phone for the Meta platform simulator. Vanilla JS, no build step, no network
// resources besides this simulator's own /_sim control API.
(function () {
  'use strict';
  var app = document.getElementById('app');
  var sheet = document.getElementById('sheet');
  var toastEl = document.getElementById('toast');
  var params = new URLSearchParams(location.search);
  var state = {
    customerId: params.get('customer') || localStorage.getItem('sim.customer') || null,
    accountId: params.get('account') || localStorage.getItem('sim.account') || null,
    accounts: [],
    data: null,
    thread: null,
    version: -1,
    timer: null,
    used: {},
  };
  var COLORS = ['#00a884', '#7f66ff', '#ff6b6b', '#f7a600', '#34b7f1', '#e542a3', '#53bdeb'];

  function api(method, path, body) {
    return fetch('/_sim' + path, {
      method: method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error((j && j.error && j.error.message) || 'HTTP ' + r.status);
        return j;
      });
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function toast(text) {
    toastEl.textContent = text;
    toastEl.classList.remove('hidden');
    clearTimeout(toast.t);
    toast.t = setTimeout(function () {
      toastEl.classList.add('hidden');
    }, 2600);
  }
  function color(s) {
    var h = 0;
    for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
    return COLORS[h % COLORS.length];
  }
  function avatar(name, channel) {
    var a = el(
      'div',
      'avatar',
      (name || '?')
        .replace(/[^A-Za-z0-9]/g, ' ')
        .trim()
        .split(/\s+/)
        .slice(0, 2)
        .map(function (w) {
          return w[0];
        })
        .join('')
        .toUpperCase() || '#',
    );
    a.style.background =
      channel === 'messenger'
        ? '#0084ff'
        : channel === 'instagram'
          ? 'linear-gradient(45deg,#f58529,#dd2a7b,#8134af)'
          : color(name || '');
    return a;
  }
  function time(ms) {
    var d = new Date(ms);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }
  function stopPolling() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    if (state.events) state.events.close();
    state.events = null;
  }
  function closeSheet() {
    sheet.classList.add('hidden');
    sheet.textContent = '';
  }
  sheet.addEventListener('click', function (e) {
    if (e.target === sheet) closeSheet();
  });
  function openSheet(panel) {
    sheet.textContent = '';
    sheet.appendChild(panel);
    sheet.classList.remove('hidden');
  }
  function topbar(title, sub, onBack, right) {
    var bar = el('div', 'topbar');
    if (onBack) {
      var b = el('button', 'icon-btn', '\u2190');
      b.title = 'Back';
      b.onclick = onBack;
      bar.appendChild(b);
    }
    var t = el('div', 'titles');
    t.appendChild(el('div', null, title));
    if (sub) t.appendChild(el('div', 'sub', sub));
    bar.appendChild(t);
    if (right) bar.appendChild(right);
    return bar;
  }
  function account(id) {
    return state.accounts.find(function (a) {
      return a.id === id;
    });
  }
  function customer() {
    return (
      state.data &&
      state.data.customers.find(function (c) {
        return c.id === state.customerId;
      })
    );
  }

  // Screens ------------------------------------------------------------------------------
  function load() {
    return Promise.all([api('GET', '/state'), api('GET', '/accounts')]).then(function (r) {
      state.data = r[0];
      state.accounts = r[1];
    });
  }

  function showCustomers() {
    stopPolling();
    state.accountId = null;
    app.textContent = '';
    app.appendChild(topbar('Choose a customer', 'Simulated WhatsApp / Instagram / Messenger users'));
    var list = el('div', 'list');
    list.appendChild(el('div', 'section-title', 'CUSTOMERS'));
    state.data.customers.forEach(function (c) {
      var row = el('button', 'row');
      row.appendChild(avatar(c.name));
      var main = el('div', 'main');
      main.appendChild(el('div', 'name', c.name));
      main.appendChild(
        el(
          'div',
          'meta',
          (c.waId ? '+' + c.waId : 'no WhatsApp') + (c.onWhatsApp ? '' : ' \u00b7 not on WhatsApp'),
        ),
      );
      row.appendChild(main);
      row.onclick = function () {
        state.customerId = c.id;
        localStorage.setItem('sim.customer', c.id);
        showChats();
      };
      list.appendChild(row);
    });
    app.appendChild(list);
    var fab = el('button', 'fab', '+');
    fab.title = 'New customer';
    fab.onclick = newCustomerForm;
    app.appendChild(fab);
  }

  function newCustomerForm() {
    var panel = el('div', 'panel');
    panel.appendChild(el('div', 'grip'));
    panel.appendChild(el('h2', null, 'New simulated customer'));
    var form = el('div', 'form');
    form.appendChild(el('label', null, 'Name'));
    var name = el('input');
    name.placeholder = 'Maria Souza';
    form.appendChild(name);
    form.appendChild(el('label', null, 'WhatsApp number (digits, with country code)'));
    var phone = el('input');
    phone.placeholder = '5511988887777';
    phone.inputMode = 'tel';
    form.appendChild(phone);
    var wa = el('label', 'check');
    var waBox = el('input');
    waBox.type = 'checkbox';
    waBox.checked = true;
    wa.appendChild(waBox);
    wa.appendChild(document.createTextNode(' Has WhatsApp (uncheck for a Messenger / Instagram-only user)'));
    form.appendChild(wa);
    panel.appendChild(form);
    var actions = el('div', 'actions');
    var cancel = el('button', 'secondary', 'Cancel');
    cancel.onclick = closeSheet;
    var ok = el('button', 'primary', 'Create');
    ok.onclick = function () {
      var body = { name: name.value.trim() || undefined };
      if (!waBox.checked) body.waId = null;
      else if (phone.value.trim()) body.waId = phone.value.replace(/\D/g, '');
      api('POST', '/customers', body)
        .then(function (c) {
          closeSheet();
          state.customerId = c.id;
          localStorage.setItem('sim.customer', c.id);
          return load().then(showChats);
        })
        .catch(function (e) {
          toast(e.message);
        });
    };
    actions.appendChild(cancel);
    actions.appendChild(ok);
    panel.appendChild(actions);
    openSheet(panel);
  }

  function showChats() {
    stopPolling();
    var c = customer();
    if (!c) return showCustomers();
    app.textContent = '';
    var sw = el('button', 'icon-btn', '\u21c4');
    sw.title = 'Switch customer';
    sw.onclick = showCustomers;
    app.appendChild(topbar(c.name, c.waId ? '+' + c.waId : 'Messenger / Instagram user', null, sw));
    var list = el('div', 'list');
    api('GET', '/customers/' + encodeURIComponent(c.id) + '/threads')
      .then(function (threads) {
        list.appendChild(el('div', 'section-title', 'CHATS'));
        state.accounts.forEach(function (a) {
          if (a.channel === 'whatsapp' && !c.waId) return;
          var t = threads.find(function (x) {
            return x.accountId === a.id;
          });
          var last = t && t.messages[0];
          var row = el('button', 'row');
          row.appendChild(avatar(a.name, a.channel));
          var main = el('div', 'main');
          var n = el('div', 'name', a.name + ' ');
          n.appendChild(
            el(
              'span',
              'badge ' + a.channel,
              a.channel === 'whatsapp' ? 'WhatsApp' : a.channel === 'messenger' ? 'Messenger' : 'Instagram',
            ),
          );
          main.appendChild(n);
          main.appendChild(
            el('div', 'meta', last ? (last.direction === 'in' ? 'You: ' : '') + preview(last) : a.handle),
          );
          row.appendChild(main);
          row.onclick = function () {
            openChat(a.id);
          };
          list.appendChild(row);
        });
      })
      .catch(function (e) {
        toast(e.message);
      });
    app.appendChild(list);
  }

  function preview(m) {
    var v = m.view;
    if (m.status === 'failed') return '\u26a0 not delivered';
    if (v.kind === 'media')
      return (
        (v.media && v.media.type === 'image'
          ? '\ud83d\udcf7 Photo'
          : '\ud83d\udcce ' + ((v.media && v.media.filename) || 'File')) + (v.caption ? ' ' + v.caption : '')
      );
    if (v.kind === 'reaction') return 'Reacted ' + (v.reaction && v.reaction.emoji);
    if (v.kind === 'location') return '\ud83d\udccd Location';
    return v.text || v.header || m.type;
  }

  // On Meta a customer has a different PSID per Page and IGSID per Instagram account.
  function scopedLabel(a) {
    var c = customer();
    var id = c && c.scopedIds && c.scopedIds[a.id];
    return id ? ' \u00b7 ' + (a.channel === 'instagram' ? 'IGSID ' : 'PSID ') + id : '';
  }

  function openChat(accountId) {
    state.accountId = accountId;
    localStorage.setItem('sim.account', accountId);
    state.version = -1;
    var a = account(accountId);
    app.textContent = '';
    var menu = el('button', 'icon-btn', '\u22ee');
    menu.title = 'More';
    menu.onclick = chatMenu;
    var bar = topbar(
      a.name,
      a.channel === 'whatsapp'
        ? a.handle + ' \u00b7 business account'
        : (a.channel === 'messenger' ? 'Messenger' : 'Instagram ' + a.handle) + scopedLabel(a),
      showChats,
      menu,
    );
    bar.insertBefore(avatar(a.name, a.channel), bar.children[1]);
    app.appendChild(bar);
    state.subEl = bar.querySelector('.sub');
    state.subText = state.subEl.textContent;
    var chat = el('div', 'chat');
    chat.id = 'chat';
    app.appendChild(chat);
    var chips = el('div', 'chips');
    chips.id = 'chips';
    app.appendChild(chips);
    var quick = el('div', 'quick');
    var stop = el('button', null, 'STOP');
    stop.title = 'Reply STOP';
    stop.onclick = function () {
      sendText('STOP');
    };
    var help = el('button', null, 'Hi!');
    help.onclick = function () {
      sendText('Hi! I have a question');
    };
    quick.appendChild(stop);
    quick.appendChild(help);
    app.appendChild(quick);
    var composer = el('div', 'composer');
    var field = el('div', 'field');
    var input = el('input');
    input.type = 'text';
    input.placeholder = 'Message';
    input.id = 'input';
    var file = el('input');
    file.type = 'file';
    file.accept = 'image/png,image/jpeg';
    file.style.display = 'none';
    var attach = el('button', 'icon-btn attach', '+');
    attach.title = 'Send a photo';
    attach.onclick = function () {
      file.click();
    };
    file.onchange = function () {
      if (file.files[0]) sendImage(file.files[0], input.value.trim());
      input.value = '';
      file.value = '';
    };
    field.appendChild(input);
    field.appendChild(attach);
    field.appendChild(file);
    var send = el('button', 'send', '\u27a4');
    send.title = 'Send';
    send.onclick = function () {
      var t = input.value.trim();
      if (t) {
        input.value = '';
        sendText(t);
      }
    };
    input.onkeydown = function (e) {
      if (e.key === 'Enter') send.onclick();
    };
    composer.appendChild(field);
    composer.appendChild(send);
    app.appendChild(composer);
    watch();
  }

  function threadPath() {
    return (
      '/customers/' + encodeURIComponent(state.customerId) + '/threads/' + encodeURIComponent(state.accountId)
    );
  }

  // Live updates: Server-Sent Events; if the stream is unavailable or breaks, poll every 0.8 s.
  function watch() {
    if (typeof EventSource !== 'function') return startPolling();
    var es = new EventSource('/_sim' + threadPath() + '/events');
    state.events = es;
    es.onmessage = function (e) {
      try {
        applyThread(JSON.parse(e.data));
      } catch (err) {
        /* a malformed event: the next one or the poll fallback repairs the view */
      }
    };
    es.onerror = function () {
      es.close();
      if (state.events !== es) return;
      state.events = null;
      startPolling();
    };
  }

  function startPolling() {
    poll();
    state.timer = setInterval(poll, 800);
  }

  function poll() {
    if (!state.accountId || !state.customerId) return;
    api('GET', threadPath())
      .then(applyThread)
      .catch(function () {});
  }

  function applyThread(t) {
    if (t.customerId !== state.customerId || t.accountId !== state.accountId) return;
    if (state.subEl) state.subEl.textContent = t.typing ? 'typing\u2026' : state.subText;
    if (state.subEl) state.subEl.className = t.typing ? 'sub typing' : 'sub';
    if (t.version === state.version) return;
    state.version = t.version;
    state.thread = t;
    renderThread(t);
    var unread = t.messages.some(function (m) {
      return m.direction === 'out' && m.status !== 'read' && m.status !== 'failed' && m.status !== 'accepted';
    });
    if (unread && document.visibilityState === 'visible')
      api('POST', '/customers/' + encodeURIComponent(state.customerId) + '/read', {
        accountId: state.accountId,
      }).catch(function () {});
  }

  function renderThread(t) {
    var chat = document.getElementById('chat');
    if (!chat) return;
    var atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 60;
    chat.textContent = '';
    var reactions = {};
    t.messages.forEach(function (m) {
      if (m.view.kind === 'reaction' && m.view.reaction)
        reactions[m.view.reaction.messageId] = m.view.reaction.emoji;
    });
    var byId = {};
    t.messages.forEach(function (m) {
      byId[m.id] = m;
    });
    var lastDay = '';
    if (t.messages.length === 0)
      chat.appendChild(
        el(
          'div',
          'notice',
          t.channel === 'whatsapp'
            ? 'Messages to this business are simulated. Say hi to open the 24-hour window.'
            : 'Send a message to start the conversation.',
        ),
      );
    t.messages.forEach(function (m) {
      if (m.view.kind === 'reaction') return;
      var day = new Date(m.timestamp).toDateString();
      if (day !== lastDay) {
        var d = el('div', 'day');
        d.appendChild(el('span', null, day === new Date().toDateString() ? 'TODAY' : day));
        chat.appendChild(d);
        lastDay = day;
      }
      if (m.status === 'failed') {
        var err = m.errors && m.errors[0];
        chat.appendChild(
          el(
            'div',
            'notice',
            '\u26a0 A business message was not delivered' +
              (err ? ' (' + err.code + ' ' + err.title + ')' : ''),
          ),
        );
        return;
      }
      if (m.direction === 'out' && m.status === 'accepted') return; // not on the phone yet
      var mine = m.direction === 'in';
      var wrap = el('div', 'msg ' + (mine ? 'out' : 'in'));
      var b = el('div', 'bubble');
      var v = m.view;
      if (v.replyTo && byId[v.replyTo]) b.appendChild(el('div', 'quote', preview(byId[v.replyTo])));
      if (v.media) b.appendChild(mediaEl(v.media));
      if (v.header) b.appendChild(el('div', 'hdr', v.header));
      var body =
        v.kind === 'media'
          ? v.caption
          : v.kind === 'location'
            ? '\ud83d\udccd ' +
              ((v.location && v.location.name) || '') +
              ' ' +
              (v.location ? v.location.latitude.toFixed(4) + ', ' + v.location.longitude.toFixed(4) : '')
            : v.kind === 'contacts'
              ? '\ud83d\udc64 ' + v.text
              : v.text;
      if (body) b.appendChild(document.createTextNode(body));
      if (v.footer) b.appendChild(el('div', 'ftr', v.footer));
      var stamp = el('span', 'stamp', time(m.timestamp));
      if (mine)
        stamp.appendChild(
          el(
            'span',
            'ticks' + (m.status === 'read' ? ' read' : ''),
            m.status === 'read' || m.status === 'received' ? '\u2713\u2713' : '\u2713',
          ),
        );
      b.appendChild(stamp);
      wrap.appendChild(b);
      if (reactions[m.id]) {
        wrap.classList.add('has-reaction');
        wrap.appendChild(el('span', 'reaction', reactions[m.id]));
      }
      if (!mine && v.buttons && t.channel === 'whatsapp') wrap.appendChild(buttonsEl(m));
      if (!mine && v.buttons && t.channel !== 'whatsapp' && v.kind === 'template')
        wrap.appendChild(buttonsEl(m));
      if (!mine && v.list) {
        var lb = el('div', 'buttons');
        var open = el('button', null, '\u2630 ' + v.list.button);
        open.onclick = function () {
          listPicker(m);
        };
        lb.appendChild(open);
        wrap.appendChild(lb);
      }
      chat.appendChild(wrap);
    });
    renderChips(t);
    if (atBottom || state.version >= 0) chat.scrollTop = chat.scrollHeight;
  }

  function renderChips(t) {
    var chips = document.getElementById('chips');
    if (!chips) return;
    chips.textContent = '';
    var last = t.messages[t.messages.length - 1];
    if (
      !last ||
      last.direction !== 'out' ||
      t.channel === 'whatsapp' ||
      !last.view.buttons ||
      last.view.kind === 'template'
    )
      return;
    last.view.buttons.forEach(function (btn) {
      var c = el('button', null, btn.title);
      c.onclick = function () {
        customerSends({ type: 'button_reply', replyTo: last.id, buttonId: btn.id });
      };
      chips.appendChild(c);
    });
  }

  function mediaEl(media) {
    if (
      media.url &&
      media.url.indexOf('media:') === 0 &&
      (media.type === 'image' || media.type === 'sticker')
    ) {
      var img = el('img');
      img.src = '/phone/media/' + encodeURIComponent(media.url.slice(6));
      img.alt = 'image';
      return img;
    }
    var f = el('div', 'file');
    var icon =
      media.type === 'image'
        ? '\ud83d\uddbc'
        : media.type === 'video'
          ? '\ud83c\udfac'
          : media.type === 'audio'
            ? '\ud83c\udfb5'
            : '\ud83d\udcc4';
    f.appendChild(el('span', null, icon));
    var label =
      media.filename ||
      (media.url && media.url.indexOf('http') === 0 ? media.url.replace(/^https?:\/\//, '') : media.type);
    f.appendChild(el('span', null, label));
    return f;
  }

  function buttonsEl(m) {
    var box = el('div', 'buttons');
    m.view.buttons.forEach(function (btn) {
      var prefix = btn.kind === 'url' ? '\u2197 ' : btn.kind === 'copy_code' ? '\u2398 ' : '\u21a9 ';
      var b = el('button', state.used[m.id] ? 'used' : null, prefix + btn.title);
      b.onclick = function () {
        if (btn.kind === 'url') return toast('Opens ' + btn.id + ' (offline)');
        if (btn.kind === 'copy_code') return toast('Code copied');
        state.used[m.id] = true;
        var type =
          state.thread.channel !== 'whatsapp'
            ? 'button_reply'
            : m.type === 'template'
              ? 'button'
              : 'button_reply';
        customerSends({ type: type, replyTo: m.id, buttonId: btn.id });
      };
      box.appendChild(b);
    });
    return box;
  }

  function listPicker(m) {
    var panel = el('div', 'panel');
    panel.appendChild(el('div', 'grip'));
    panel.appendChild(el('h2', null, m.view.list.button));
    var chosen = null;
    m.view.list.sections.forEach(function (s) {
      if (s.title) panel.appendChild(el('div', 'stitle', s.title));
      s.rows.forEach(function (r) {
        var opt = el('label', 'opt');
        var txt = el('span', null, r.title);
        if (r.description) txt.appendChild(el('small', null, r.description));
        var radio = el('input');
        radio.type = 'radio';
        radio.name = 'row';
        radio.onchange = function () {
          chosen = r.id;
        };
        opt.appendChild(txt);
        opt.appendChild(radio);
        panel.appendChild(opt);
      });
    });
    var actions = el('div', 'actions');
    var send = el('button', 'primary', 'Send');
    send.onclick = function () {
      if (!chosen) return toast('Pick an option');
      closeSheet();
      customerSends({ type: 'list_reply', replyTo: m.id, buttonId: chosen });
    };
    actions.appendChild(send);
    panel.appendChild(actions);
    openSheet(panel);
  }

  function chatMenu() {
    var a = account(state.accountId);
    var panel = el('div', 'panel');
    panel.appendChild(el('div', 'grip'));
    var menu = el('div', 'menu');
    function item(label, fn) {
      var b = el('button', null, label);
      b.onclick = function () {
        closeSheet();
        fn();
      };
      menu.appendChild(b);
    }
    item('Reply STOP', function () {
      sendText('STOP');
    });
    if (a.channel === 'whatsapp') {
      var c = customer();
      var stopped = c && c.marketingStoppedBy.length > 0;
      item(
        stopped
          ? 'Resume marketing messages (WhatsApp setting)'
          : 'Stop marketing messages (WhatsApp setting)',
        function () {
          api('POST', '/customers/' + encodeURIComponent(state.customerId) + '/marketing', {
            phoneNumberId: a.id,
            stopped: !stopped,
          })
            .then(function () {
              return load();
            })
            .then(function () {
              toast(stopped ? 'Marketing messages resumed' : 'Marketing messages stopped (131050)');
            });
        },
      );
      item('Message from a Click-to-WhatsApp ad', function () {
        customerSends({ type: 'text', text: 'Hi! I saw your ad', referral: true });
      });
      item('Send my location', function () {
        customerSends({ type: 'location' });
      });
    }
    item('Fill the lead form (Meta)', metaLeadForm);
    item('Fill the lead form (Google Ads)', googleLeadForm);
    item('Switch customer', showCustomers);
    panel.appendChild(menu);
    openSheet(panel);
  }

  function leadPanel(kind, title, fields, submit) {
    var panel = el('div', 'panel ' + kind);
    panel.appendChild(el('div', 'grip'));
    var form = el('div', 'form');
    var brand = el('div', 'brand');
    var logo = el('div', 'logo', kind === 'google' ? 'G' : 'f');
    logo.style.background = kind === 'google' ? '#1a73e8' : '#1877f2';
    brand.appendChild(logo);
    brand.appendChild(el('strong', null, title));
    form.appendChild(brand);
    var inputs = {};
    fields.forEach(function (f) {
      form.appendChild(el('label', null, f.label));
      var i = el('input');
      i.value = f.value || '';
      inputs[f.key] = i;
      form.appendChild(i);
    });
    form.appendChild(
      el(
        'div',
        'fine',
        kind === 'google'
          ? 'Submitted to the advertiser\u2019s lead-form webhook with its google_key.'
          : 'Sent to the Page as a leadgen webhook; the business fetches the answers with GET /{leadgen-id}.',
      ),
    );
    panel.appendChild(form);
    var actions = el('div', 'actions');
    var cancel = el('button', 'secondary', 'Cancel');
    cancel.onclick = closeSheet;
    var ok = el('button', 'primary', 'Submit');
    ok.onclick = function () {
      var values = {};
      Object.keys(inputs).forEach(function (k) {
        if (inputs[k].value.trim()) values[k] = inputs[k].value.trim();
      });
      submit(values)
        .then(function () {
          closeSheet();
          toast('Lead submitted');
        })
        .catch(function (e) {
          toast(e.message);
        });
    };
    actions.appendChild(cancel);
    actions.appendChild(ok);
    panel.appendChild(actions);
    openSheet(panel);
  }

  function metaLeadForm() {
    var form = state.data.leadForms[0];
    var c = customer();
    if (!form) return toast('No lead form in the seed');
    var prefill = {
      full_name: c.name,
      phone_number: c.waId ? '+' + c.waId : '',
      email: c.name.toLowerCase().replace(/[^a-z]+/g, '.') + '@example.com',
    };
    leadPanel(
      'meta',
      form.name,
      form.questions.map(function (q) {
        return { key: q.key, label: q.label, value: prefill[q.key] };
      }),
      function (values) {
        return api('POST', '/leads', { formId: form.id, fieldData: values });
      },
    );
  }

  function googleLeadForm() {
    var form = state.data.googleForms[0];
    var c = customer();
    if (!form) return toast('No Google lead form in the seed');
    var prefill = {
      FULL_NAME: c.name,
      PHONE_NUMBER: c.waId ? '+' + c.waId : '',
      EMAIL: c.name.toLowerCase().replace(/[^a-z]+/g, '.') + '@example.com',
    };
    leadPanel(
      'google',
      form.name,
      form.columns.map(function (col) {
        return { key: col.id, label: col.name, value: prefill[col.id] };
      }),
      function (values) {
        return api('POST', '/google-leads', { formId: form.id, fields: values });
      },
    );
  }

  // Actions ------------------------------------------------------------------------------
  function customerSends(message) {
    message.to = state.accountId;
    return api('POST', '/customers/' + encodeURIComponent(state.customerId) + '/messages', message)
      .then(poll)
      .catch(function (e) {
        toast(e.message);
      });
  }
  function sendText(text) {
    return customerSends({ type: 'text', text: text });
  }
  function sendImage(file, caption) {
    var reader = new FileReader();
    reader.onload = function () {
      var data = String(reader.result).split(',')[1] || '';
      customerSends({
        type: 'image',
        text: caption || undefined,
        media: { dataBase64: data, mimeType: file.type || 'image/jpeg', filename: file.name },
      });
    };
    reader.readAsDataURL(file);
  }

  setInterval(function () {
    document.getElementById('clock').textContent = time(Date.now());
  }, 10000);
  document.getElementById('clock').textContent = time(Date.now());
  load()
    .then(function () {
      if (state.customerId && customer() && state.accountId && account(state.accountId))
        openChat(state.accountId);
      else if (state.customerId && customer()) showChats();
      else showCustomers();
    })
    .catch(function (e) {
      app.textContent = '';
      app.appendChild(el('div', 'empty', 'Simulator not reachable: ' + e.message));
    });
})();
