// Small helpers for the console; every page works without them.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  // Filter forms apply as soon as a field changes.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.submit(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // Publishing: poll the re-index job until the new corpus version answers.
  var status = document.getElementById("reindex-status");
  if (status && csrf) {
    var poll = function () {
      fetch("/admin/documents/status", { headers: { "X-CSRF-Token": csrf.content }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          status.textContent = s.message;
          status.setAttribute("data-state", s.state);
          if (s.state === "running" || s.state === "queued") window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    poll();
  }
})();
