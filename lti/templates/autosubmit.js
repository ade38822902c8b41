// Submits forms marked data-autosubmit (deep-linking return) and tells the platform a registration is done.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
if (document.querySelector("[data-lti-close]")) {
  (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
}
