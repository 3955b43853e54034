// Confirming what cannot be undone: a form with data-confirm (or a submit
// button with it) opens the page's <dialog id="confirm-dialog"> with that
// text, and the reason typed in the form, instead of submitting. The form
// itself is left alone, so what was typed is kept; "Confirm" submits it
// with the same button, "Cancel" or Escape closes the dialog and changes
// nothing. Focus goes to "Cancel" (the step that changes nothing), Tab
// stays between the dialog's buttons, and focus returns to the button
// that opened it. Without this script the form simply submits.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var text = document.getElementById("confirm-dialog-text");
  var reasonBox = document.getElementById("confirm-dialog-reason");
  var reasonText = reasonBox.querySelector("[data-reason]");
  var cancel = dialog.querySelector("[data-dialog-cancel]");
  var confirm = dialog.querySelector("[data-dialog-confirm]");
  var pending = null; // {form, submitter}

  function question(form, submitter) {
    if (submitter && submitter.dataset.confirm) { return submitter.dataset.confirm; }
    return form.dataset.confirm || "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    if (form.dataset.confirmed === "yes") {
      delete form.dataset.confirmed;
      return;
    }
    var message = question(form, submitter);
    if (!message) { return; }
    event.preventDefault();
    pending = { form: form, submitter: submitter };
    text.textContent = message;
    var reason = form.querySelector("textarea[name=reason]");
    reasonText.textContent = reason ? reason.value.trim() : "";
    reasonBox.hidden = !reasonText.textContent;
    dialog.showModal();
    cancel.focus();
  }, true);

  confirm.addEventListener("click", function () {
    var chosen = pending;
    pending = null;
    dialog.close("confirm");
    if (!chosen) { return; }
    chosen.form.dataset.confirmed = "yes";
    if (typeof chosen.form.requestSubmit === "function") {
      chosen.form.requestSubmit(chosen.submitter || undefined);
    } else {
      chosen.form.submit();
    }
  });

  // Cancel or Escape: nothing is sent, the focus goes back to the button.
  // Done at once (not on the "close" event, which comes later): a second
  // opening right after must not be taken for the end of the first.
  function dismiss() {
    var chosen = pending;
    pending = null;
    if (dialog.open) { dialog.close("cancel"); }
    var opener = chosen && (chosen.submitter || chosen.form.querySelector("[type=submit]"));
    if (opener) { opener.focus(); }
  }
  cancel.addEventListener("click", dismiss);
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    dismiss();
  });

  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    // Tab and Shift+Tab go round the two buttons, never out of the dialog.
    var order = [cancel, confirm];
    var index = order.indexOf(document.activeElement);
    var next = event.shiftKey ? index - 1 : index + 1;
    event.preventDefault();
    order[(next + order.length) % order.length].focus();
  });
})();
