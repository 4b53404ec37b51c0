// semreg's one script. Every page works without it; it adds type-ahead to the search fields
// (from /api/v1/suggest into the field's datalist) and copy buttons for URLs. Served from
// semreg itself, so the Content-Security-Policy can forbid every other script.
(() => {
  "use strict";

  function typeAhead(input) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    let timer = 0;
    let last = "";
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q.length < 2 || q === last) return;
      timer = setTimeout(async () => {
        last = q;
        try {
          const base = input.dataset.suggest;
          const url = base + (base.includes("?") ? "&" : "?") + "limit=8&q=" + encodeURIComponent(q);
          const answer = await fetch(url, { headers: { Accept: "application/json" } });
          if (!answer.ok) return;
          const { suggestions } = await answer.json();
          list.replaceChildren(...suggestions.map((s) => {
            const option = document.createElement("option");
            option.value = s.label;
            return option;
          }));
        } catch (_) {
          // Type-ahead is a help; the search itself still works.
        }
      }, 150);
    });
  }

  function copyButton(button) {
    const target = document.getElementById(button.dataset.copy);
    if (!target || !navigator.clipboard) return;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = button.dataset.copied || label;
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  }

  // A publisher's token, for the forms that send one (the composer's save, a dry run): kept in
  // sessionStorage, so it survives the page's GET state changes in this tab and nothing else —
  // never in an address or a cookie.
  const TOKEN_KEY = "semreg-publisher-token";
  function sessionToken(input) {
    try {
      const kept = sessionStorage.getItem(TOKEN_KEY);
      if (kept && !input.value) input.value = kept;
      input.addEventListener("input", () => {
        if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value);
        else sessionStorage.removeItem(TOKEN_KEY);
      });
    } catch (_) {
      // Storage may be off; the field still works, typed each time.
    }
  }

  // A file chosen is read into the form's text field (the form posts text, not a file).
  function fileInto(input) {
    const target = document.getElementById(input.dataset.into);
    const name = document.getElementById(input.dataset.name);
    if (!target) return;
    const hiddenBox = input.closest("[hidden]");
    if (hiddenBox) hiddenBox.hidden = false;
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      target.value = await file.text();
      if (name) name.value = file.name;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-session-token]").forEach(sessionToken);
    document.querySelectorAll("input[type=file][data-into]").forEach(fileInto);
    document.querySelectorAll("input[data-suggest][list]").forEach(typeAhead);
    document.querySelectorAll("button[data-copy]").forEach(copyButton);
  });
})();
