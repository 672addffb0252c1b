/* Hyperquiz behaviour on top of htmx 4: focus after swaps and number keys for answers.
   Everything here is an enhancement; every page works without it. */
(() => {
  "use strict";

  const FOCUS_TARGET = "[data-swap-focus]";
  const FALLBACK_FOCUS = "h1, h2, h3, legend";

  function focusElement(element) {
    if (!element.hasAttribute("tabindex") && !element.matches("a, button, input, select, textarea")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function findIn(nodes, selector) {
    for (const node of nodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (node.matches(selector)) return node;
      const inner = node.querySelector(selector);
      if (inner) return inner;
    }
    return null;
  }

  // htmx does not move focus after a swap; a screen reader would stay silent and a keyboard
  // user would be dropped on <body>. Swapped content marks where focus belongs.
  document.addEventListener("htmx:after:settle", (event) => {
    const newContent = (event.detail && event.detail.newContent) || [];
    const wanted = findIn(newContent, FOCUS_TARGET);
    if (wanted) {
      focusElement(wanted);
      return;
    }
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
      const fallback = findIn(newContent, FALLBACK_FOCUS) || findIn([event.target], FALLBACK_FOCUS);
      if (fallback) focusElement(fallback);
    }
  });

  function isTyping(target) {
    return target.matches("textarea, select, [contenteditable], input:not([type=radio]):not([type=checkbox])");
  }

  // On a question card, 1–9 choose the Nth answer and Enter on a choice submits (CONTRACT.md).
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const target = event.target instanceof Element ? event.target : document.body;
    if (isTyping(target)) return;
    const form = document.querySelector("form[data-answer-keys]");
    if (!form) return;
    if (/^[1-9]$/.test(event.key)) {
      const choice = form.querySelectorAll("input[type=radio]")[Number(event.key) - 1];
      if (choice && !choice.disabled) {
        event.preventDefault();
        choice.checked = true;
        choice.focus();
      }
    } else if (event.key === "Enter" && target.matches("input[type=radio]") && form.contains(target)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
