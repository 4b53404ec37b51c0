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
          const url = input.dataset.suggest + "?limit=8&q=" + encodeURIComponent(q);
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

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-suggest][list]").forEach(typeAhead);
    document.querySelectorAll("button[data-copy]").forEach(copyButton);
  });
})();
