/* Hyperquiz behaviour on top of htmx 4: focus after swaps and page loads, number keys for
   answers (and the hints that tell of them), the countdown.
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
    // Focus stayed put (typing in the search box, leaving a field): say what changed.
    const news = findIn(newContent, "[data-announce]");
    if (news) announce(news.dataset.announce || news.textContent.trim());
  });

  // Hints about keys that only this script provides stay hidden without it. Shown, each also
  // describes what it is about (data-js-hint names it), so a screen reader hears it there.
  function revealHints() {
    document.querySelectorAll("[data-js-hint][hidden]").forEach((hint) => {
      hint.hidden = false;
      const described = hint.dataset.jsHint && document.querySelector(hint.dataset.jsHint);
      if (!described) return;
      const ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!ids.includes(hint.id)) described.setAttribute("aria-describedby", [...ids, hint.id].join(" "));
    });
  }

  // A full page load into a quiz puts focus on the question, as every swap does.
  function focusOnLoad() {
    const region = document.querySelector("[data-focus-on-load]");
    const wanted = region && region.querySelector(FOCUS_TARGET);
    if (wanted) focusElement(wanted);
  }

  function announce(text) {
    const region = document.getElementById("announcer");
    if (!region || !text) return;
    region.textContent = "";
    // A fresh text node after a tick, so the same words twice are still read out.
    window.setTimeout(() => { region.textContent = text; }, 50);
  }

  function isTyping(target) {
    return target.matches("textarea, select, [contenteditable], input:not([type=radio]):not([type=checkbox])");
  }

  // On a question card, 1–9 choose the Nth answer and Enter on a choice submits (CONTRACT.md);
  // in a text field or a select the keys are the field's own (isTyping).
  // On answer feedback, Enter on its heading moves on ("Next question" or "See results").
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const target = event.target instanceof Element ? event.target : document.body;
    if (isTyping(target)) return;
    const moveOn = target.closest("[data-enter-activates]");
    if (event.key === "Enter" && moveOn && !target.matches("a, button, input, select, textarea")) {
      const next = moveOn.querySelector(moveOn.dataset.enterActivates);
      if (next) {
        event.preventDefault();
        next.click();
      }
      return;
    }
    const form = document.querySelector("form[data-answer-keys]");
    if (!form) return;
    if (/^[1-9]$/.test(event.key)) {
      // The Nth radio is picked, the Nth checkbox toggled (CONTRACT.md, Question kinds).
      const choice = form.querySelectorAll("input[type=radio], input[type=checkbox]")[Number(event.key) - 1];
      if (choice && !choice.disabled) {
        event.preventDefault();
        choice.checked = choice.type === "checkbox" ? !choice.checked : true;
        choice.focus();
      }
    } else if (event.key === "Enter" && target.matches("input[type=radio], input[type=checkbox]") && form.contains(target)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Timed attempts: tick the visible clock each second, but speak only at a few moments, so a
  // screen reader is not flooded. After the deadline (and the server's grace) go to the
  // attempt's URL, where the server finishes it and shows the results.
  const ANNOUNCE_AT = new Map([[300, "5 minutes left"], [60, "1 minute left"], [30, "30 seconds left"], [10, "10 seconds left"]]);

  // A live game's countdown counts from the seconds the server sent (a phone's clock may be
  // wrong), speaks through a live region of the page (data-announcer), and goes nowhere at
  // the end: the game's stream brings the lock.
  function startCountdown(element) {
    if (element.dataset.ticking) return;
    element.dataset.ticking = "true";
    const deadline = element.dataset.secondsLeft
      ? Date.now() + Number(element.dataset.secondsLeft) * 1000
      : Date.parse(element.dataset.deadline);
    const grace = Number(element.dataset.graceMs || 0);
    const value = element.querySelector(".countdown-value");
    const announcer = element.dataset.announcer
      ? document.querySelector(element.dataset.announcer)
      : element.querySelector("[data-countdown-announcer]");
    let last = null;
    const tick = () => {
      if (!element.isConnected) return;
      const left = Math.max(Math.ceil((deadline - Date.now()) / 1000), 0);
      if (left !== last) {
        value.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
        if (announcer && ANNOUNCE_AT.has(left)) announcer.textContent = ANNOUNCE_AT.get(left);
        if (announcer && left === 0) announcer.textContent = "Time is up";
        last = left;
      }
      if (Date.now() >= deadline + grace) {
        if (element.dataset.expireUrl) window.location.assign(element.dataset.expireUrl);
        return;
      }
      window.setTimeout(tick, 250);
    };
    tick();
  }

  function startCountdowns() {
    document.querySelectorAll(".countdown[data-deadline], .countdown[data-seconds-left]").forEach(startCountdown);
  }

  // A form that takes a while (a large file to upload and read) says so in its status line,
  // a live region present from the start, and cannot be sent twice meanwhile.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.busy || event.defaultPrevented) return;
    const status = form.querySelector("[role=status]");
    if (status) status.textContent = form.dataset.busy;
    window.setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = true; }), 0);
  });

  // This browser runs scripts: a live game's page follows its stream instead of reloading
  // itself (the server sends no Refresh header to it).
  document.cookie = "hyperquiz_js=1; path=/; SameSite=Lax";

  document.addEventListener("DOMContentLoaded", () => {
    revealHints();
    startCountdowns();
    focusOnLoad();
  });
  document.addEventListener("htmx:after:settle", () => {
    revealHints();
    startCountdowns();
  });
})();
