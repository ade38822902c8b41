/* The Teams client's side of TeamsJS 2.x's postMessage protocol, for tests (read from TeamsJS's own source:
 * src/internal/communication.ts). The tab posts requests {id, uuidAsString, func, args}; the host answers
 * {id, uuidAsString, args}. Events from the host are {func, args} (themeChange). Query parameters: tab (the
 * tab's URL), token (what authentication.getAuthToken returns), theme, upn, oid, tid, frameContext. */
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var tabUrl = params.get('tab');
  var tabOrigin = new URL(tabUrl).origin;
  var frame = document.getElementById('tab');
  var theme = params.get('theme') || 'default';
  var frameContext = params.get('frameContext') || 'content';
  window.hostLog = [];
  window.hostToken = params.get('token');

  var runtime = {
    apiVersion: 4,
    hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
    isLegacyTeams: false,
    supports: {
      app: {}, appEntity: {}, appInstallDialog: {}, authentication: {}, chat: {}, conversations: {},
      dialog: { card: {}, url: {}, update: {} }, pages: { appButton: {}, backStack: {}, config: {}, tabs: {} },
      teamsCore: {},
    },
  };

  function context() {
    return {
      locale: 'en-us', theme: theme, entityId: params.get('entityId') || 'myLearning',
      userObjectId: params.get('oid'), tid: params.get('tid'), userPrincipalName: params.get('upn'),
      loginHint: params.get('upn'), frameContext: frameContext, hostClientType: 'web', hostName: 'Teams',
      appSessionId: 'test-session', sessionId: 'test-host', teamId: params.get('teamId') || undefined,
    };
  }

  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow || event.origin !== tabOrigin) { return; }
    var msg = event.data;
    if (!msg || typeof msg.func !== 'string') { return; }
    window.hostLog.push({ func: msg.func, args: msg.args });
    function reply(args) {
      frame.contentWindow.postMessage({ id: msg.id, uuidAsString: msg.uuidAsString, args: args }, tabOrigin);
    }
    switch (msg.func) {
      case 'initialize':
        reply([frameContext, 'web', JSON.stringify(runtime), '2.58.0']);
        break;
      case 'getContext':
        reply([context()]);
        break;
      case 'authentication.getAuthToken':
        if (window.hostToken) { reply([true, window.hostToken]); } else { reply([false, 'resourceDisabled']); }
        break;
      case 'executeDeepLink':
        reply([true]);
        break;
      default:
        break; // registerHandler, appInitialization.success...: Teams sends no answer
    }
  });

  window.setTheme = function (name) {
    theme = name;
    frame.contentWindow.postMessage({ func: 'themeChange', args: [name] }, tabOrigin);
  };

  frame.src = tabUrl;
})();
