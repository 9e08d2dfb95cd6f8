/* Steward's consent widget. Embed with one tag where the form should appear:
 *   <script src="https://steward.example/widget.js" data-widget="WIDGET-ID" async></script>
 * It draws the widget's fields and its consent boxes (never ticked in advance), checks them, posts them to Steward and
 * shows the answer. Strict-CSP friendly: no eval, no innerHTML, no inline styles; the page needs only
 *   script-src https://steward.example; connect-src https://steward.example
 * Style it from the page through its classes (steward-widget, steward-field, steward-consent, steward-error, ...). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-widget")) return;
  var id = script.getAttribute("data-widget");
  var api = new URL(script.src).origin + "/v1/public/widgets/" + encodeURIComponent(id);
  var prefix = "steward-" + id.slice(0, 8) + "-";
  var form = el("form", { "class": "steward-widget", novalidate: "" });
  script.parentNode.insertBefore(form, script.nextSibling);
  var formError = el("p", { "class": "steward-error steward-form-error", role: "alert" });
  var status = el("p", { "class": "steward-status", role: "status" });
  form.appendChild(status);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var name in attrs) e.setAttribute(name, attrs[name]);
    if (text) e.textContent = text;
    return e;
  }

  // one error line under each input, tied to it for screen readers
  function errorLine(input) {
    var line = el("p", { "class": "steward-error", id: input.id + "-error", role: "alert" });
    input.setAttribute("aria-describedby", line.id);
    return line;
  }

  function showError(input, message) {
    document.getElementById(input.id + "-error").textContent = message;
    input.setAttribute("aria-invalid", "true");
  }

  function clearErrors() {
    form.querySelectorAll(".steward-error").forEach(function (e) { e.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
  }

  function draw(widget) {
    var inputs = {}, boxes = {};
    widget.fields.forEach(function (f) {
      var row = el("div", { "class": "steward-field" });
      var input = el(f.type === "textarea" ? "textarea" : "input", { id: prefix + f.name, name: f.name });
      if (f.type !== "textarea") input.setAttribute("type", f.type);
      if (f.type === "email") input.setAttribute("autocomplete", "email");
      if (f.required) input.setAttribute("required", "");
      row.appendChild(el("label", { "for": input.id }, f.label + (f.required ? " *" : "")));
      row.appendChild(input);
      row.appendChild(errorLine(input));
      form.insertBefore(row, status);
      inputs[f.name] = input;
    });
    if (widget.purposes.length) {
      var set = el("fieldset", { "class": "steward-consents" });
      set.appendChild(el("legend", {}, "Your consent"));
      widget.purposes.forEach(function (p) {
        var row = el("div", { "class": "steward-consent" });
        var box = el("input", { type: "checkbox", id: prefix + "consent-" + p.key, name: p.key });
        box.checked = false; // consent is given by ticking, never by default (GDPR Art. 7, recital 32)
        row.appendChild(box);
        row.appendChild(el("label", { "for": box.id }, p.text + (p.required ? " *" : "")));
        row.appendChild(errorLine(box));
        set.appendChild(row);
        boxes[p.key] = { box: box, required: p.required };
      });
      if (widget.privacyNoticeUrl) {
        var notice = el("p", { "class": "steward-notice" });
        notice.appendChild(el("a", { href: widget.privacyNoticeUrl, target: "_blank", rel: "noopener" }, "How we use your data (privacy notice)"));
        set.appendChild(notice);
      }
      form.insertBefore(set, status);
    }
    form.insertBefore(formError, status);
    form.insertBefore(el("button", { type: "submit" }, "Send"), status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit(inputs, boxes);
    });
  }

  function check(inputs, boxes) {
    var bad = [], filled = 0;
    Object.keys(inputs).forEach(function (name) {
      var input = inputs[name], empty = input.type === "checkbox" ? !input.checked : input.value.trim() === "";
      if (!empty) filled++;
      if (empty && input.required) { showError(input, "Fill in this field."); bad.push(input); }
      else if (!input.validity.valid) { showError(input, input.type === "email" ? "Enter an email address like name@example.com." : "Check this value."); bad.push(input); }
    });
    Object.keys(boxes).forEach(function (key) {
      if (boxes[key].required && !boxes[key].box.checked) { showError(boxes[key].box, "Tick this box to send the form: this consent is required."); bad.push(boxes[key].box); }
    });
    if (filled === 0 && bad.length === 0) formError.textContent = "Fill in at least one field.";
    return bad.length === 0 && filled > 0 ? null : bad[0] || form.querySelector("input,textarea");
  }

  function submit(inputs, boxes) {
    clearErrors();
    status.textContent = "";
    var invalid = check(inputs, boxes);
    if (invalid) { invalid.focus(); return; }
    var fields = {}, consents = {};
    Object.keys(inputs).forEach(function (name) {
      var input = inputs[name];
      if (input.type === "checkbox") fields[name] = input.checked;
      else if (input.value.trim() !== "") fields[name] = input.type === "number" ? Number(input.value) : input.value.trim();
    });
    Object.keys(boxes).forEach(function (key) { consents[key] = boxes[key].box.checked; });
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(api + "/submissions", {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ fields: fields, consents: consents })
    }).then(function (response) {
      if (response.ok) {
        form.querySelectorAll(".steward-field, .steward-consents, button").forEach(function (e) { e.hidden = true; });
        status.textContent = "Thank you: your details are recorded." + (fields.email && Object.keys(consents).some(function (k) { return consents[k]; })
          ? " We sent you an email with the link that withdraws your consent at any time." : "");
        return;
      }
      return response.json().then(function (problem) { showProblem(problem, inputs, boxes); });
    }).catch(function () {
      formError.textContent = "The form could not be sent. Check your connection and try again.";
    }).then(function () { button.disabled = false; });
  }

  // RFC 9457: each error next to its field ("email", "fields.email", "consents.newsletter"); the rest above the button
  function showProblem(problem, inputs, boxes) {
    var first = null, errors = problem.errors || {};
    Object.keys(errors).forEach(function (key) {
      var name = key.replace(/^fields\./, ""), target = inputs[name] || (key.indexOf("consents.") === 0 && boxes[key.slice(9)] && boxes[key.slice(9)].box);
      if (target) { showError(target, errors[key].join(" ")); first = first || target; }
      else formError.textContent = (formError.textContent + " " + errors[key].join(" ")).trim();
    });
    if (!first && !formError.textContent) formError.textContent = problem.detail || problem.title || "The form could not be sent.";
    (first || form.querySelector("button")).focus();
  }

  fetch(api, { mode: "cors", credentials: "omit" })
    .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
    .then(draw)
    .catch(function () {
      form.insertBefore(formError, status);
      formError.textContent = "This form is not available on this site.";
    });
})();
