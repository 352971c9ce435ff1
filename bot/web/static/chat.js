// The web chat page: shows the steps the server sends and sends back which button was
// pressed, naming the screen it was on. It keeps nothing: no storage, no cookies of its own
// (the session cookie is HttpOnly and the server's), and clears itself at the end.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const CLEAR_AFTER_MS = 20000;
  const page = {
    language: "nl", words: {}, languages: [], version: null, open: false,
    busy: false, screen: null, atCode: true, clearTimer: null, prefilled: "",
  };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "className") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  async function call(method, path, body) {
    const init = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const data = await response.json().catch(() => ({}));
    return { status: response.status, data };
  }

  // --- words and language -------------------------------------------------------------
  async function loadWords(code) {
    const { status, data } = await call("GET", "/api/words?language=" + encodeURIComponent(code));
    if (status !== 200) return;
    page.words = data.words;
    page.languages = data.languages;
    setLanguage(data.language, data.rtl);
    $("title").textContent = page.words.title;
    document.title = page.words.title;
    $("language-label").textContent = page.words.language_label;
    $("progress-text").dataset.label = page.words.progress;
    $("log").setAttribute("aria-label", page.words.conversation);
    const select = $("language");
    select.replaceChildren(...page.languages.map((lang) =>
      el("option", { value: lang.code, lang: lang.code, selected: lang.code === data.language },
        lang.name)));
  }

  function setLanguage(code, rtl) {
    page.language = code;
    document.documentElement.lang = code;
    document.documentElement.dir = rtl ? "rtl" : "ltr";
  }

  // --- reading aloud --------------------------------------------------------------------
  const canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;

  function readButton(text, language) {
    if (!canSpeak) return null;
    const button = el("button", { type: "button", className: "read" }, page.words.read_aloud);
    button.addEventListener("click", () => {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        button.textContent = page.words.read_aloud;
        return;
      }
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = language;
      utterance.rate = 0.9;
      utterance.onend = () => { button.textContent = page.words.read_aloud; };
      button.textContent = page.words.stop_reading;
      window.speechSynthesis.speak(utterance);
    });
    return button;
  }

  // --- the chat log ---------------------------------------------------------------------
  function bubble(parts, options) {
    const opts = options || {};
    const text = parts.filter((part) => typeof part === "string").join(" ");
    const body = parts.map((part) => typeof part === "string" ? el("p", {}, part) : part);
    const language = opts.language || page.language;
    const rtl = page.languages.some((lang) => lang.code === language && lang.rtl);
    const node = el("div", { className: "bubble " + (opts.className || ""), role: opts.role,
      lang: language, dir: rtl ? "rtl" : "ltr" },
      body, opts.read === false ? null : readButton(opts.readText || text, language));
    $("log").append(node);
    return node;
  }

  function mine(text) {
    const rtl = document.documentElement.dir === "rtl";
    $("log").append(el("div", { className: "bubble mine", lang: page.language,
      dir: rtl ? "rtl" : "ltr" }, el("p", {}, text)));
  }

  function controls(...children) {
    $("controls").replaceChildren(...children.flat().filter(Boolean));
  }

  function focusFirst() {
    const target = $("controls").querySelector("button, input");
    if (target) target.focus({ preventScroll: false });
    const last = $("log").lastElementChild;
    if (last) last.scrollIntoView({ block: "nearest" });
  }

  function progress(p) {
    const box = $("progress-box");
    if (!p) { box.hidden = true; return; }
    box.hidden = false;
    $("progress-text").textContent = p.label + " · " + p.remaining;
    const bar = $("progress");
    bar.max = p.total;
    bar.value = p.number;
    bar.setAttribute("aria-label", page.words.progress);
  }

  // --- steps ----------------------------------------------------------------------------
  async function show(view) {
    page.version = view.version;
    page.open = view.open;
    const step = view.step;
    // The code step's texts (and any message about a code) go once the pupil is in.
    if (page.atCode && step.kind !== "code_entry") $("log").replaceChildren();
    page.atCode = step.kind === "code_entry";
    if (step.language !== page.language || !page.words.title) await loadWords(step.language);
    setLanguage(step.language, step.rtl);
    switch (step.kind) {
      case "code_entry": return codeStep(step);
      case "notice":
        bubble([step.message], { className: "note", role: "status", language: step.language });
        return screen(step.then, step);
      case "paused":
        bubble([step.message], { className: "note", language: step.language });
        page.screen = null;
        progress(null);
        controls(el("button", { type: "button", className: "primary",
          onclick: () => send({ action: "continue" }, page.words.continue_label) },
          page.words.continue_label));
        return focusFirst();
      default: return screen(step, step);
    }
  }

  function screen(s, shown) {
    page.screen = s.screen_id;
    const lang = shown.language;
    if (s.kind === "intro") {
      progress(null);
      bubble([el("h2", {}, s.title), ...s.paragraphs, ...s.help],
        { readText: [s.title, ...s.paragraphs, ...s.help].join(" "), language: lang });
      controls(choiceButton(s.screen_id, s.start, "primary"));
    } else if (s.kind === "question") {
      progress(s.progress);
      if (s.section_intro) bubble([s.section_intro], { language: lang });
      bubble([el("p", { className: "question", id: "question-" + s.screen_id }, s.text)],
        { readText: s.text, language: lang });
      const options = s.options.map((option) => choiceButton(s.screen_id, option, "answer"));
      options.push(choiceButton(s.screen_id, s.prefer_not, "answer other"));
      const nav = el("div", { className: "nav" },
        s.can_go_back ? el("button", { type: "button",
          onclick: () => send({ action: "back", screen: s.screen_id }, page.words.back) },
          page.words.back) : null,
        el("button", { type: "button", onclick: () => send({ action: "stop" }, page.words.pause) },
          page.words.pause));
      controls(el("div", { className: "answers", role: "group",
        "aria-labelledby": "question-" + s.screen_id }, options), nav);
    } else if (s.kind === "support_card") {
      progress(null);
      const lines = s.helplines.map((line) =>
        // A phone number reads left to right in every language: 0800-2000, never 2000-0800.
        el("li", {}, el("strong", {}, line.name + " ", el("bdi", { dir: "ltr" }, line.number)),
          " " + line.text));
      const texts = [s.title, ...s.paragraphs, s.contact, s.heading,
        ...s.helplines.map((line) => line.name + " " + line.number + " " + line.text), s.closing];
      bubble([el("h2", {}, s.title), ...s.paragraphs, s.contact, s.heading,
        el("ul", {}, lines), s.closing].filter(Boolean),
        { readText: texts.filter(Boolean).join(" "), language: lang });
      controls(choiceButton(s.screen_id, s.proceed, "primary"));
    } else if (s.kind === "outro") {
      progress(null);
      bubble([el("h2", {}, s.title), ...s.paragraphs],
        { readText: [s.title, ...s.paragraphs].join(" "), language: lang });
      finish();
    }
    focusFirst();
  }

  function choiceButton(screenId, choice, className) {
    return el("button", { type: "button", className, "data-screen": screenId,
      "data-option": choice.option_id,
      onclick: (event) => {
        // A button of a screen that is no longer shown does nothing (double click).
        if (event.currentTarget.dataset.screen !== page.screen) return;
        send({ action: "choose", screen: screenId, option: choice.option_id,
          version: page.version }, choice.label);
      } },
    choice.picture ? el("span", { className: "picture", "aria-hidden": "true" },
      choice.picture) : null,
    el("span", {}, choice.label));
  }

  function codeStep(step) {
    page.screen = null;
    progress(null);
    $("log").replaceChildren();
    bubble([el("h2", {}, step.title), step.welcome, step.prompt],
      { readText: [step.title, step.welcome, step.prompt].join(" "), language: step.language });
    if (step.message) {
      bubble([step.message], { className: step.problem === "goodbye" ? "note" : "alert",
        role: "alert", language: step.language });
    }
    const input = el("input", { id: "code", name: "code", autocomplete: "off",
      autocapitalize: "characters", spellcheck: "false", inputmode: "text", maxlength: "20",
      "aria-describedby": "code-hint" });
    input.value = page.prefilled;
    page.prefilled = "";
    const form = el("form", { className: "code-form", onsubmit: (event) => {
      event.preventDefault();
      const code = input.value.trim();
      if (code) sendCode(code);
    } },
    el("label", { for: "code" }, page.words.code_label),
    el("span", { id: "code-hint", hidden: true }, step.prompt),
    input,
    el("button", { type: "submit", className: "primary" }, page.words.code_button));
    controls(form);
    input.focus();
  }

  function finish() {
    bubble([page.words.clearing], { className: "note", read: false });
    controls(el("button", { type: "button", className: "primary", onclick: clear },
      page.words.finish));
    page.clearTimer = window.setTimeout(clear, CLEAR_AFTER_MS);
  }

  // Shared devices: forget everything about this pupil and show the code step again.
  async function clear() {
    window.clearTimeout(page.clearTimer);
    if (canSpeak) window.speechSynthesis.cancel();
    $("log").replaceChildren();
    controls();
    progress(null);
    page.screen = null;
    await call("POST", "/api/end", {});
    await start();
  }

  // --- sending --------------------------------------------------------------------------
  async function send(body, label) {
    if (page.busy) return;
    page.busy = true;
    for (const button of $("controls").querySelectorAll("button")) button.disabled = true;
    try {
      const { status, data } = await call("POST", "/api/input", body);
      if (status === 200) {
        // An answer shows as the pupil's bubble; a refused (stale) one does not.
        if (label && body.action === "choose" && data.step.kind !== "notice") mine(label);
        await show(data);
      } else if (status === 401) {
        const { data: fresh } = await call("GET", "/api/state?language=" + page.language);
        await show(fresh);
        bubble([page.words.session_ended], { className: "alert", role: "alert" });
      } else {
        problem(status);
      }
    } catch (error) {
      problem(0);
    } finally {
      page.busy = false;
      for (const button of $("controls").querySelectorAll("button")) button.disabled = false;
    }
  }

  async function sendCode(code) {
    if (page.busy) return;
    page.busy = true;
    try {
      const { status, data } = await call("POST", "/api/code",
        { code, language: page.language });
      if (status === 200) await show(data);
      else problem(status);
    } catch (error) {
      problem(0);
    } finally {
      page.busy = false;
    }
  }

  function problem(status) {
    bubble([status === 429 || status === 503 ? page.words.slow_down : page.words.error],
      { className: "alert", role: "alert" });
  }

  async function changeLanguage(code) {
    if (page.open && page.screen) {
      await send({ action: "language", language: code });
    } else {
      const typed = $("code") ? $("code").value : "";
      await loadWords(code);
      const { data } = await call("GET", "/api/state?language=" + encodeURIComponent(code));
      page.prefilled = typed;
      await show(data);
    }
  }

  async function start() {
    const { data } = await call("GET", "/api/state?language=" + encodeURIComponent(page.language));
    await show(data);
  }

  async function boot() {
    // The slip's QR code carries the code in the fragment, which never reaches a server;
    // take it and remove it from the address bar and history at once.
    const match = /^#code=([A-Za-z0-9-]{1,20})$/.exec(window.location.hash);
    if (window.location.hash) history.replaceState(null, "", window.location.pathname);
    if (match) page.prefilled = match[1].toUpperCase();
    await loadWords(page.language);
    $("language").addEventListener("change", (event) => changeLanguage(event.target.value));
    await start();
  }

  boot();
})();
