/* The dashboard tab's configuration page: load the programs this person facilitates here (the team comes
 * from the TeamsJS context), and save the tab for the one picked. Nothing else; tabs.js does the sign-in. */
(function () {
  'use strict';

  var teams = window.microsoftTeams;
  var tabs = window.peerlearnTabs;
  if (!teams || !tabs) { return; }

  function picked() {
    return document.querySelector('input[name="program_id"]:checked');
  }

  function validity() {
    teams.pages.config.setValidityState(Boolean(picked()));
  }

  tabs.ready.then(function (context) {
    var team = context && context.team ? context.team.internalId || '' : '';
    teams.pages.config.registerOnSaveHandler(function (saveEvent) {
      var choice = picked();
      if (!choice) {
        saveEvent.notifyFailure('Choose a program first.');
        return;
      }
      var id = choice.value;
      teams.pages.config.setConfig({
        entityId: 'peerlearn-dashboard-' + id,
        contentUrl: window.location.origin + '/tabs/dashboard?program_id=' + encodeURIComponent(id),
        suggestedDisplayName: 'Health: ' + (choice.getAttribute('data-name') || 'program'),
      }).then(function () { saveEvent.notifySuccess(); }, function (error) {
        saveEvent.notifyFailure(String(error && error.message ? error.message : error));
      });
    });
    document.addEventListener('change', function (event) {
      if (event.target instanceof HTMLInputElement && event.target.name === 'program_id') { validity(); }
    });
    return tabs.load('/tabs/dashboard/configure/view?team=' + encodeURIComponent(team)).then(validity);
  }).catch(function () { /* tabs.js already shows why the page could not load */ });
})();
