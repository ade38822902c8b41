/* peerlearn's tab pages: TeamsJS set-up, the theme, single sign-on, and fragments loaded with the token.
 * The contract is described in bot/tabs/routes.py. No inline script anywhere: this file and TeamsJS only. */
(function () {
  'use strict';

  var teams = window.microsoftTeams;
  var root = document.documentElement;
  var main = document.getElementById('content');
  var status = document.getElementById('tab-status');
  var hostOrigins = (root.getAttribute('data-host-origins') || '').split(' ').filter(Boolean);
  var INIT_TIMEOUT_MS = 15000;
  var cachedToken = null;

  function applyTheme(theme) {
    root.setAttribute('data-theme', theme === 'dark' || theme === 'contrast' ? theme : 'default');
  }

  function withTimeout(promise, ms, message) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error(message)); }, ms);
      promise.then(function (value) { clearTimeout(timer); resolve(value); },
        function (error) { clearTimeout(timer); reject(error); });
    });
  }

  var ready = (function () {
    if (!teams || window.parent === window) {
      return Promise.reject(new Error('outside-teams'));
    }
    var init = teams.app.initialize(hostOrigins.length ? hostOrigins : undefined);
    return withTimeout(init, INIT_TIMEOUT_MS, 'outside-teams').then(function () {
      return teams.app.getContext();
    }).then(function (context) {
      applyTheme(context && context.app ? context.app.theme : 'default');
      teams.app.registerOnThemeChangeHandler(applyTheme);
      if (context && context.app && context.app.locale) {
        root.setAttribute('lang', context.app.locale);
      }
      return context;
    });
  })();

  function token(fresh) {
    if (cachedToken && !fresh) {
      return Promise.resolve(cachedToken);
    }
    return ready.then(function () {
      return teams.authentication.getAuthToken();
    }).then(function (value) {
      cachedToken = value;
      return value;
    });
  }

  function authorizedFetch(url, init) {
    init = init || {};
    function send(fresh) {
      return token(fresh).then(function (value) {
        var headers = new Headers(init.headers || {});
        headers.set('Authorization', 'Bearer ' + value);
        return fetch(url, Object.assign({}, init, { headers: headers, credentials: 'omit', cache: 'no-store' }));
      });
    }
    return send(false).then(function (response) {
      return response.status === 401 ? send(true) : response;
    });
  }

  function announce(text) {
    if (!status) { return; }
    status.textContent = '';
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function focusHeading() {
    var target = main.querySelector('[data-tab-focus]') || main.querySelector('h1, h2');
    if (!target) { return; }
    if (!target.hasAttribute('tabindex')) { target.setAttribute('tabindex', '-1'); }
    target.focus({ preventScroll: false });
    announce(target.textContent.trim());
  }

  function showProblem(title, message) {
    main.textContent = '';
    var box = document.createElement('section');
    box.className = 'problem';
    box.setAttribute('role', 'alert');
    var heading = document.createElement('h1');
    heading.textContent = title;
    var text = document.createElement('p');
    text.textContent = message;
    box.appendChild(heading);
    box.appendChild(text);
    main.appendChild(box);
    focusHeading();
  }

  function failed(error) {
    if (error && error.message === 'outside-teams') {
      showProblem('Open this in Microsoft Teams',
        'This page is a tab of the peerlearn app. Open peerlearn in Teams and choose the tab there.');
    } else if (error && /resourceRequiresConsent|consent/i.test(String(error.message))) {
      showProblem('peerlearn needs your consent',
        'Your organization has not yet allowed peerlearn to sign you in. Ask your IT admin to grant consent.');
    } else {
      showProblem('This could not be loaded',
        'Teams did not give peerlearn a sign-in token, or the network failed. Reload the tab to try again.');
    }
  }

  function show(response) {
    return response.text().then(function (html) {
      var type = response.headers.get('Content-Type') || '';
      if (type.indexOf('text/html') !== 0) {
        throw new Error('unexpected answer ' + response.status);
      }
      main.innerHTML = html;
      main.removeAttribute('aria-busy');
      focusHeading();
      if (teams && teams.app && response.ok) {
        try { teams.app.notifySuccess(); } catch (ignored) { /* notifySuccess is best effort */ }
      }
    });
  }

  function load(url, init) {
    main.setAttribute('aria-busy', 'true');
    return authorizedFetch(url, init).then(show).catch(failed);
  }

  function download(button) {
    var url = button.getAttribute('data-tab-download');
    var name = button.getAttribute('data-filename') || 'peerlearn.json';
    button.disabled = true;
    return authorizedFetch(url).then(function (response) {
      if (!response.ok) { return show(response); }
      return response.blob().then(function (blob) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = name;
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
        announce('Your file ' + name + ' was downloaded.');
      });
    }).catch(failed).then(function () { button.disabled = false; });
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var link = target.closest('a[data-tab-link]');
    if (link) {
      event.preventDefault();
      load(link.getAttribute('href'));
      return;
    }
    var deep = target.closest('a[data-tab-deep-link]');
    if (deep) {
      event.preventDefault();
      ready.then(function () { return teams.app.openLink(deep.getAttribute('href')); }).catch(function () {
        announce('Teams could not open that link.');
      });
      return;
    }
    var button = target.closest('[data-tab-download]');
    if (button) {
      event.preventDefault();
      download(button);
    }
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-tab-form')) { return; }
    event.preventDefault();
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { body.append(key, String(value)); });
    if (event.submitter && event.submitter.name) {
      body.append(event.submitter.name, event.submitter.value);
    }
    load(form.getAttribute('action'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  });

  window.peerlearnTabs = { ready: ready, fetch: authorizedFetch, load: load, token: token };

  var source = main && main.getAttribute('data-tab-source');
  if (source) {
    ready.then(function () { return load(source); }).catch(failed);
  } else {
    ready.catch(failed);
  }
})();
