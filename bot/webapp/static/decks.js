// The Mini App's decks screens: the list of decks, one deck with its cards, one card's editor.
// Every screen fetches what it shows when it renders (on show, back and refresh), so what a
// person sees is the server's current state, never a list kept from before an edit.
// Sentences come from t() (bot/views/webapp_decks.py); the DOM is built with el() only.

import {
  api,
  answerOf,
  ApiError,
  send,
  t,
  el,
  show,
  back,
  refresh,
  haptic,
  notify,
  ask,
  closeApp,
  uid,
} from "./app.js";

const PAGE_SIZE = 50;
// The longest side the server accepts (bot.cards.model.MAX_SIDE_CHARS); its 422 says so too.
const MAX_SIDE_CHARS = 2000;
const MAX_TITLE_CHARS = 200;
const SEARCH_DELAY_MS = 250;
// A title quoted in a question: Telegram's popup takes 256 characters, the sentence needs its end.
const QUESTION_TITLE_CHARS = 60;

// The decks list's search, kept while the person opens a deck and comes back.
let listQuery = "";
// The deck last opened from the list: coming back, focus returns to its button.
let returnToDeck = null;

/** The screen's own h1: app.js focuses it when the screen shows. */
function screenHeading(text) {
  return el("h1", { class: "screen-title", tabindex: "-1" }, text);
}

/** A labelled text input: returns the wrapper, the input and its error line. */
function labelledInput(labelKey, props = {}) {
  const id = uid("field");
  const input = el("input", { id, type: "text", autocomplete: "off", ...props });
  const error = el("p", { id: `${id}-error`, class: "field-error" });
  error.hidden = true;
  const wrapper = el("div", { class: "field" }, el("label", { for: id }, t(labelKey)), input, error);
  // An error speaks of what was sent: once the field changes, it no longer holds.
  input.addEventListener("input", () => withdrawError(input, error));
  return { wrapper, input, error };
}

/** Shows `message` next to a field: aria-invalid and aria-describedby name it for readers. */
function fieldError(input, error, message) {
  error.textContent = message;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(error.id)) {
    described.push(error.id);
  }
  input.setAttribute("aria-describedby", described.join(" "));
}

/** Clears a field's error. */
function clearFieldError(input, error) {
  error.textContent = "";
  error.hidden = true;
  input.removeAttribute("aria-invalid");
  const described = (input.getAttribute("aria-describedby") || "")
    .split(" ")
    .filter((token) => token && token !== error.id);
  if (described.length) {
    input.setAttribute("aria-describedby", described.join(" "));
  } else {
    input.removeAttribute("aria-describedby");
  }
}

/** Takes a refusal back once its field is edited: beside the field and on the status line. */
function withdrawError(input, error) {
  if (!error.hidden) {
    clearFieldError(input, error);
    notify("");
  }
}

/** The field a 422 names: the error body's `field`, else the one its code speaks of. */
function fieldOf(err) {
  const error = (err && err.body && err.body.error) || {};
  if (typeof error.field === "string") {
    return error.field;
  }
  const code = String(error.code || err.code || "");
  for (const field of ["front", "back", "title"]) {
    if (code.includes(field)) {
      return field;
    }
  }
  return null;
}

/** Says what went wrong, in the person's language when the server said it. */
function failed(err) {
  haptic("error");
  if (err instanceof ApiError) {
    notify(err.message || t("decks.failed", { message: String(err.status) }), "error");
  } else {
    notify(t("decks.failed", { message: String((err && err.message) || err) }), "error");
  }
}

/** Says an edit is done; an edit of a followed deck also says the deck stopped following. */
function edited(result, key) {
  haptic("success");
  const said = [t(key)];
  if (result && result.stopped_following) {
    said.push(t("decks.stopped_following"));
  }
  notify(said.join(" "));
}

/** Runs `work` with `button` busy (disabled, aria-busy, `labelKey`'s "Saving…" when given) so a
 * second tap cannot send it twice while a slow answer is on its way; then as it was. */
async function whileBusy(button, labelKey, work) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (labelKey) {
    button.textContent = t(labelKey);
  }
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = label;
    // A disabled button lets go of focus: give it back when nothing else took it.
    if (button.isConnected && document.activeElement === document.body) {
      button.focus();
    }
  }
}

/** `text` cut to `max` characters, an ellipsis saying so. */
function clipped(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Calls `fn` once `delayMs` has passed without another call (search as you type). */
function debounce(fn, delayMs) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), delayMs);
  };
}

/** Fetches a binary API resource (a picture, a file) with the person's Authorization header. */
async function fetchBlob(path) {
  const response = await send(path);
  if (!response.ok) {
    await answerOf(response); // throws the server's refusal
  }
  return { blob: await response.blob(), disposition: response.headers.get("Content-Disposition") };
}

/** Sends a file as the raw body of a PUT (a card's picture); the parsed JSON answer, or an
 * ApiError with the server's sentence. */
async function upload(path, file) {
  const headers = { Accept: "application/json", "Content-Type": file.type || "application/octet-stream" };
  return answerOf(await send(path, { method: "PUT", headers, body: file }));
}

/** The file name a Content-Disposition header gives, else `fallback`. */
function fileNameOf(disposition, fallback) {
  if (disposition) {
    const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (encoded) {
      try {
        return decodeURIComponent(encoded[1]);
      } catch (_ignored) {
        // A malformed name: fall through to the plain one.
      }
    }
    const plain = /filename="?([^";]+)"?/i.exec(disposition);
    if (plain) {
      return plain[1];
    }
  }
  return fallback;
}

/** The deck's line of facts: cards, active, follows. */
function deckFacts(deck) {
  const facts = [t("decks.cards_count", { count: deck.cards })];
  if (deck.active) {
    facts.push(t("decks.active"));
  }
  if (deck.follows) {
    facts.push(t("decks.follows"));
  }
  return facts.join(" · ");
}

// ---------------------------------------------------------------- the decks list

/** The decks screen: search, your decks then the starter ones, and a form for a new deck. */
export function decksScreen() {
  return {
    title: t("decks.title"),
    async render(root) {
      const results = el("div", { class: "deck-results", "aria-busy": "true" });
      const search = labelledInput("decks.search_label", { type: "search" });
      search.input.value = listQuery;
      let latest = 0;
      const load = async () => {
        const asked = ++latest;
        results.setAttribute("aria-busy", "true");
        try {
          const params = listQuery ? `?q=${encodeURIComponent(listQuery)}` : "";
          const data = await api("GET", `/decks${params}`);
          if (asked === latest) {
            results.replaceChildren(...deckSections(data.decks || [], listQuery));
          }
        } catch (err) {
          failed(err);
        } finally {
          if (asked === latest) {
            results.setAttribute("aria-busy", "false");
          }
        }
      };
      const searchLater = debounce(load, SEARCH_DELAY_MS);
      search.input.addEventListener("input", () => {
        listQuery = search.input.value.trim();
        searchLater();
      });
      const heading = screenHeading(t("decks.title"));
      root.append(heading, el("div", { class: "decks-search", role: "search" }, search.wrapper), results, newDeckForm());
      await load();
      if (returnToDeck !== null) {
        // Back from a deck: where the person was (the list's heading when that deck is gone).
        const button = results.querySelector(`.deck-item[data-deck-id="${returnToDeck}"]`);
        returnToDeck = null;
        (button || heading).focus();
      }
    },
  };
}

/** The list's sections: the person's decks (or a line saying there are none), the starter ones. */
function deckSections(decks, query) {
  const own = decks.filter((deck) => !deck.bundled);
  const bundled = decks.filter((deck) => deck.bundled);
  const ownHeadingId = uid("yours");
  const sections = [
    el(
      "section",
      { class: "deck-section", "aria-labelledby": ownHeadingId },
      el("h2", { id: ownHeadingId }, t("decks.yours")),
      own.length
        ? deckList(own)
        : el("p", { class: "hint" }, t(query ? "decks.none_found" : "decks.none_yours")),
    ),
  ];
  if (bundled.length) {
    const bundledHeadingId = uid("bundled");
    sections.push(
      el(
        "section",
        { class: "deck-section", "aria-labelledby": bundledHeadingId },
        el("h2", { id: bundledHeadingId }, t("decks.bundled")),
        deckList(bundled),
      ),
    );
  }
  return sections;
}

/** A list of decks, each a button opening it. */
function deckList(decks) {
  return el(
    "ul",
    { class: "deck-list" },
    ...decks.map((deck) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", class: "deck-item", "data-deck-id": String(deck.id), onClick: () => openDeck(deck) },
          el("span", { class: "deck-item-title" }, deck.title),
          el("span", { class: "deck-item-facts" }, deckFacts(deck)),
        ),
      ),
    ),
  );
}

/** Opens a deck from the list, remembering where to come back to. */
function openDeck(deck) {
  returnToDeck = deck.id;
  return show(deckScreen(deck));
}

/** The New deck form: a title, Create; the new deck opens at once. */
function newDeckForm() {
  const headingId = uid("new-deck");
  const title = labelledInput("decks.new_title_label", { maxlength: String(MAX_TITLE_CHARS), required: "" });
  const submit = el("button", { type: "submit", class: "primary" }, t("decks.create"));
  const form = el(
    "form",
    { class: "new-deck", "aria-labelledby": headingId, novalidate: "" },
    el("h2", { id: headingId }, t("decks.new_heading")),
    title.wrapper,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldError(title.input, title.error);
    if (submit.disabled) {
      return; // Enter pressed again while the first one is on its way
    }
    let created = null;
    await whileBusy(submit, "decks.creating", async () => {
      try {
        created = (await api("POST", "/decks", { title: title.input.value.trim() })).deck;
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          haptic("error");
          fieldError(title.input, title.error, err.message);
          title.input.focus();
        } else {
          failed(err);
        }
      }
    });
    if (created) {
      haptic("success");
      notify(t("decks.created"));
      openDeck(created);
    }
  });
  return form;
}

// ---------------------------------------------------------------- one deck

/** One deck's screen: its title (rename), its actions, its cards paged and searchable. */
export function deckScreen(known) {
  const deckId = known.id;
  const view = { offset: 0, query: "", focusAfter: null, ticket: 0 };
  return {
    title: known.title,
    async render(root) {
      let deck;
      try {
        deck = (await api("GET", `/decks/${deckId}`)).deck;
      } catch (err) {
        root.append(screenHeading(known.title));
        failed(err);
        return;
      }
      this.title = deck.title;
      const cards = el("div", { class: "card-results", "aria-busy": "true" });
      const facts = el("p", { class: "deck-facts" }, deckFacts(deck));
      root.append(
        screenHeading(deck.title),
        facts,
        ...(deck.editable ? [renameForm(deck)] : [el("p", { class: "read-only note" }, t("decks.read_only"))]),
        deckActions(deck, facts),
        cardsSection(deck, view, cards),
      );
      await loadCards(deck, view, cards);
    },
  };
}

/** Rename: a labelled title and Save. */
function renameForm(deck) {
  const title = labelledInput("decks.rename_label", { maxlength: String(MAX_TITLE_CHARS), required: "" });
  title.input.value = deck.title;
  const save = el("button", { type: "submit" }, t("decks.rename_save"));
  const form = el("form", { class: "rename", novalidate: "" }, title.wrapper, save);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldError(title.input, title.error);
    if (save.disabled) {
      return; // Enter pressed again while the first one is on its way
    }
    let renamed = null;
    await whileBusy(save, "decks.saving", async () => {
      try {
        renamed = await api("PATCH", `/decks/${deck.id}`, { title: title.input.value.trim() });
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          haptic("error");
          fieldError(title.input, title.error, err.message);
          title.input.focus();
        } else {
          failed(err);
        }
      }
    });
    if (renamed) {
      edited(renamed, "decks.renamed");
      await refresh();
    }
  });
  return form;
}

/** Quiz this deck, send it to the chat, download it, delete it (`facts`: the deck's line of facts). */
function deckActions(deck, facts) {
  const headingId = uid("actions");
  const after = el("div", { class: "action-result" });
  const buttons = [
    el("button", { type: "button", class: "primary", onClick: (event) => useDeck(deck, facts, after, event.currentTarget) }, t("decks.use")),
    el("button", { type: "button", onClick: (event) => exportDeck(deck, event.currentTarget) }, t("decks.export")),
    el("button", { type: "button", onClick: (event) => downloadDeck(deck, after, event.currentTarget) }, t("decks.download")),
  ];
  if (deck.editable) {
    buttons.push(
      el("button", { type: "button", class: "danger", onClick: (event) => deleteDeck(deck, event.currentTarget) }, t("decks.delete")),
    );
  }
  return el(
    "section",
    { class: "deck-actions", "aria-labelledby": headingId },
    el("h2", { id: headingId }, t("decks.actions")),
    el("div", { class: "button-row" }, ...buttons),
    after,
  );
}

/** Makes the deck the active one (its facts say so), then offers to go back to the chat. */
async function useDeck(deck, facts, after, button) {
  try {
    const used = await whileBusy(button, null, () => api("POST", `/decks/${deck.id}/use`, {}));
    Object.assign(deck, (used && used.deck) || { active: true });
    facts.textContent = deckFacts(deck);
    haptic("success");
    notify(t("decks.used"));
    after.replaceChildren(el("button", { type: "button", class: "primary", onClick: () => closeApp() }, t("decks.close")));
  } catch (err) {
    failed(err);
  }
}

/** Has the bot send the deck into the person's chat as a file. */
async function exportDeck(deck, button) {
  try {
    await whileBusy(button, "decks.sending", () => api("POST", `/decks/${deck.id}/export`, {}));
    haptic("success");
    notify(t("decks.exported"));
  } catch (err) {
    failed(err);
  }
}

/** Fetches the deck's file and offers it as a download link (a plain browser's way to save it). */
async function downloadDeck(deck, after, button) {
  try {
    const { blob, disposition } = await whileBusy(button, null, () => fetchBlob(`/decks/${deck.id}/export`));
    const link = el(
      "a",
      { class: "button-link", href: URL.createObjectURL(blob), download: fileNameOf(disposition, `${deck.title}.csv`) },
      t("decks.download_link"),
    );
    for (const earlier of after.querySelectorAll("a[href^='blob:']")) {
      URL.revokeObjectURL(earlier.href);
    }
    after.replaceChildren(link);
    notify(t("decks.download_ready"));
    link.click();
  } catch (err) {
    failed(err);
  }
}

/** Deletes the deck once the person confirms, and goes back to the list. */
async function deleteDeck(deck, button) {
  const title = clipped(deck.title, QUESTION_TITLE_CHARS);
  if (!(await ask(t("decks.delete_confirm", { title })))) {
    return;
  }
  try {
    await whileBusy(button, "decks.deleting", () => api("DELETE", `/decks/${deck.id}`));
    haptic("success");
    notify(t("decks.deleted"));
    await back();
  } catch (err) {
    failed(err);
  }
}

/** The Cards section: search, Add card, the page of cards, Previous/Next. */
function cardsSection(deck, view, cards) {
  const headingId = uid("cards");
  const search = labelledInput("decks.search_cards_label", { type: "search" });
  search.input.value = view.query;
  const searchLater = debounce(() => loadCards(deck, view, cards), SEARCH_DELAY_MS);
  search.input.addEventListener("input", () => {
    view.query = search.input.value.trim();
    view.offset = 0;
    searchLater();
  });
  const parts = [el("h2", { id: headingId }, t("decks.cards")), el("div", { role: "search" }, search.wrapper)];
  if (deck.editable) {
    parts.push(
      el("button", { type: "button", class: "primary add-card", onClick: () => show(cardScreen(deck, null)) }, t("decks.add_card")),
    );
  }
  parts.push(cards);
  return el("section", { class: "deck-cards", "aria-labelledby": headingId }, ...parts);
}

/** Fetches the current page of cards and shows it. */
async function loadCards(deck, view, cards) {
  // Only the latest request shows: a slow answer to an older search must not overwrite it.
  view.ticket = (view.ticket || 0) + 1;
  const ticket = view.ticket;
  cards.setAttribute("aria-busy", "true");
  try {
    const params = new URLSearchParams({ offset: String(view.offset), limit: String(PAGE_SIZE) });
    if (view.query) {
      params.set("q", view.query);
    }
    const data = await api("GET", `/decks/${deck.id}/cards?${params}`);
    if (ticket !== view.ticket) {
      return;
    }
    const page = data.cards || [];
    if (!page.length && view.offset > 0 && data.total > 0) {
      // The page emptied (cards deleted elsewhere): show the last page that has cards.
      view.offset = Math.max(0, Math.floor((data.total - 1) / PAGE_SIZE) * PAGE_SIZE);
      await loadCards(deck, view, cards);
      return;
    }
    cards.replaceChildren(...cardPage(deck, view, cards, page, data.total || 0));
    if (view.focusAfter) {
      // The first of the wanted elements that is there (a Move button may now be disabled).
      const target = view.focusAfter.map((selector) => cards.querySelector(selector)).find(Boolean);
      view.focusAfter = null;
      if (target) {
        target.focus();
      }
    }
  } catch (err) {
    if (ticket === view.ticket) {
      failed(err);
    }
  } finally {
    if (ticket === view.ticket) {
      cards.setAttribute("aria-busy", "false");
    }
  }
}

/** A page of cards with its range line and Previous/Next. */
function cardPage(deck, view, cards, page, total) {
  if (!page.length) {
    return [el("p", { class: "hint" }, t(view.query ? "decks.no_cards_found" : "decks.no_cards"))];
  }
  const first = view.offset + 1;
  const last = view.offset + page.length;
  const range = t("decks.range", { first, last, total });
  const list = el("ul", { class: "card-list" }, ...page.map((card) => cardItem(deck, view, cards, card, total)));
  const parts = [el("p", { class: "card-range", tabindex: "-1" }, range), list];
  if (total > PAGE_SIZE) {
    const prev = el("button", { type: "button", onClick: () => turnPage(deck, view, cards, -PAGE_SIZE) }, t("decks.prev"));
    const next = el("button", { type: "button", onClick: () => turnPage(deck, view, cards, PAGE_SIZE) }, t("decks.next"));
    prev.disabled = view.offset === 0;
    next.disabled = last >= total;
    parts.push(el("nav", { class: "pager button-row", "aria-label": range }, prev, next));
  }
  return parts;
}

/** Shows the previous or next page. */
function turnPage(deck, view, cards, delta) {
  view.offset = Math.max(0, view.offset + delta);
  view.focusAfter = [".card-range"];
  return loadCards(deck, view, cards);
}

/** One card: its picture, front and back (a button opening the editor when the deck is yours), Move up/down. */
function cardItem(deck, view, cards, card, total) {
  const text = [
    el("span", { class: "card-front" }, card.front),
    el("span", { class: "card-back" }, card.back),
  ];
  const parts = [];
  if (card.picture) {
    parts.push(cardPicture(deck, card));
  }
  if (!deck.editable) {
    parts.push(el("div", { class: "card-text" }, ...text));
    return el("li", { class: "card-item" }, ...parts);
  }
  parts.push(
    el(
      "button",
      {
        type: "button",
        class: "card-open card-text",
        "data-card-id": String(card.id),
        "aria-label": t("decks.open_card", { front: card.front }),
        onClick: () => show(cardScreen(deck, card.id)),
      },
      ...text,
    ),
  );
  // Searching shows a filtered list: moving there would be moving among hidden cards.
  if (!view.query) {
    const up = el(
      "button",
      {
        type: "button",
        class: "move move-up",
        "data-card-id": String(card.id),
        "aria-label": t("decks.move_up", { front: card.front }),
        onClick: (event) => moveCard(deck, view, cards, card, card.position - 1, "up", event.currentTarget),
      },
      "↑",
    );
    const down = el(
      "button",
      {
        type: "button",
        class: "move move-down",
        "data-card-id": String(card.id),
        "aria-label": t("decks.move_down", { front: card.front }),
        onClick: (event) => moveCard(deck, view, cards, card, card.position + 1, "down", event.currentTarget),
      },
      "↓",
    );
    up.disabled = card.position <= 0;
    down.disabled = card.position >= total - 1;
    parts.push(el("div", { class: "move-buttons" }, up, down));
  }
  return el("li", { class: "card-item" }, ...parts);
}

/** Moves a card one place and shows the list again, the same button focused. */
async function moveCard(deck, view, cards, card, position, direction, button) {
  try {
    const moved = await whileBusy(button, null, () => api("POST", `/decks/${deck.id}/cards/${card.id}/move`, { position }));
    edited(moved, "decks.moved");
    // The card may now sit on the neighbouring page: follow it.
    if (position < view.offset) {
      view.offset = Math.max(0, view.offset - PAGE_SIZE);
    } else if (position >= view.offset + PAGE_SIZE) {
      view.offset += PAGE_SIZE;
    }
    view.focusAfter = [
      `.move-${direction}[data-card-id="${card.id}"]:not([disabled])`,
      `.move[data-card-id="${card.id}"]:not([disabled])`,
      `.card-open[data-card-id="${card.id}"]`,
    ];
    await loadCards(deck, view, cards);
  } catch (err) {
    failed(err);
  }
}

/** A card's picture, fetched with the person's Authorization and shown from a blob: URL. */
function cardPicture(deck, card) {
  const image = el("img", { class: "card-picture", alt: t("decks.picture_alt", { front: card.front }) });
  const figure = el("div", { class: "card-picture-box" }, image);
  fetchBlob(`/decks/${deck.id}/cards/${card.id}/picture`)
    .then(({ blob }) => {
      const url = URL.createObjectURL(blob);
      image.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
      image.src = url;
    })
    .catch(() => {
      figure.replaceChildren(el("p", { class: "hint" }, t("decks.picture_failed")));
    });
  return figure;
}

// ---------------------------------------------------------------- one card

/** The card editor: Front and Back with counters, Save, Delete; `cardId` null adds a new card. */
export function cardScreen(deck, cardId) {
  const adding = cardId === null;
  // What the person typed, kept across a re-render (after a 409 the boxes keep their text).
  const typed = { front: null, back: null };
  // What the boxes hold and what they were loaded with: leaving asks when they differ.
  let unsaved = () => false;
  return {
    title: t(adding ? "decks.new_card" : "decks.edit_card"),
    async canLeave() {
      return !unsaved() || ask(t("decks.leave_unsaved"));
    },
    async render(root) {
      unsaved = () => false;
      let loaded = { front: "", back: "" };
      if (!adding) {
        try {
          loaded = (await api("GET", `/decks/${deck.id}/cards/${cardId}`)).card;
        } catch (err) {
          root.append(screenHeading(t("decks.edit_card")));
          failed(err);
          return;
        }
      }
      const front = sideField("decks.front", typed.front ?? loaded.front);
      const backSide = sideField("decks.back", typed.back ?? loaded.back);
      const keep = keepScheduleChoice();
      const changed = el("div", { class: "changed-elsewhere" });
      changed.hidden = true;
      const updateKeep = () => {
        keep.wrapper.hidden = adding || front.input.value === loaded.front;
      };
      front.input.addEventListener("input", () => {
        typed.front = front.input.value;
        updateKeep();
      });
      backSide.input.addEventListener("input", () => {
        typed.back = backSide.input.value;
      });
      updateKeep();
      unsaved = () => front.input.value !== loaded.front || backSide.input.value !== loaded.back;
      const save = el("button", { type: "submit", class: "primary" }, t("decks.save"));
      const form = el("form", { class: "card-form", novalidate: "" }, changed, front.wrapper, backSide.wrapper, keep.wrapper, save);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (save.disabled) {
          return; // a second tap while the first save is on its way (a big deck takes seconds)
        }
        clearFieldError(front.input, front.error);
        clearFieldError(backSide.input, backSide.error);
        let saved = false;
        await whileBusy(save, "decks.saving", async () => {
          try {
            await saveCard(deck, cardId, loaded, front.input.value, backSide.input.value, keep.input.checked);
            saved = true;
          } catch (err) {
            if (err instanceof ApiError && err.status === 409) {
              const now = (err.body && (err.body.card || (err.body.error && err.body.error.card))) || null;
              if (now) {
                // The next Save compares with what is true now and re-applies the person's text.
                loaded = now;
              }
              showChanged(changed, now);
              updateKeep();
              // What is true now is read first: focus moves to it (the boxes follow it).
              changed.querySelector("h2").focus();
              haptic("warning");
              notify(t("decks.changed"), "error");
            } else if (err instanceof ApiError && err.status === 422) {
              haptic("error");
              const target = fieldOf(err) === "back" ? backSide : front;
              fieldError(target.input, target.error, err.message);
              notify(err.message, "error");
              target.input.focus();
            } else {
              failed(err);
            }
          }
        });
        if (saved) {
          unsaved = () => false;
          await back();
        }
      });
      root.append(screenHeading(t(adding ? "decks.new_card" : "decks.edit_card")));
      if (loaded.picture) {
        root.append(cardPicture(deck, { id: cardId, front: loaded.front }));
      }
      if (!adding) {
        root.append(pictureField(deck, cardId, loaded.picture));
      }
      root.append(form);
      if (!adding) {
        root.append(
          el("div", { class: "button-row danger-zone" },
            el("button", { type: "button", class: "danger", onClick: (event) => deleteCard(deck, cardId, event.currentTarget) }, t("decks.delete_card")),
          ),
        );
      }
    },
  };
}

/** The card's picture: a file input sending a new one at once, and Remove picture when it has
 * one; either way the editor is then drawn again from the server (the new picture shown). */
function pictureField(deck, cardId, hasPicture) {
  const id = uid("picture");
  const path = `/decks/${deck.id}/cards/${cardId}/picture`;
  const input = el("input", { id, type: "file", accept: "image/jpeg,image/png,image/webp" });
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file) {
      return;
    }
    input.disabled = true;
    input.setAttribute("aria-busy", "true");
    notify(t("decks.picture_uploading"));
    try {
      edited(await upload(path, file), "decks.picture_saved");
      await refresh();
    } catch (err) {
      failed(err);
      input.value = "";
    } finally {
      input.disabled = false;
      input.removeAttribute("aria-busy");
    }
  });
  const wrapper = el("div", { class: "field picture-field" }, el("label", { for: id }, t("decks.picture")), input);
  if (hasPicture) {
    const remove = el("button", { type: "button" }, t("decks.remove_picture"));
    remove.addEventListener("click", async () => {
      try {
        edited(await whileBusy(remove, "decks.removing", () => api("DELETE", path)), "decks.picture_removed");
        await refresh();
      } catch (err) {
        failed(err);
      }
    });
    wrapper.append(el("div", { class: "button-row" }, remove));
  }
  return wrapper;
}

/** A labelled textarea with its character counter and error line. */
function sideField(labelKey, value) {
  const id = uid("side");
  const input = el("textarea", { id, rows: "3", maxlength: String(MAX_SIDE_CHARS), "aria-describedby": `${id}-count` });
  input.value = value;
  const counter = el("p", { id: `${id}-count`, class: "counter" });
  const count = () => {
    counter.textContent = t("decks.chars", { count: input.value.length, max: MAX_SIDE_CHARS });
  };
  input.addEventListener("input", count);
  count();
  const error = el("p", { id: `${id}-error`, class: "field-error" });
  error.hidden = true;
  const wrapper = el("div", { class: "field" }, el("label", { for: id }, t(labelKey)), input, counter, error);
  // An error speaks of what was sent: once the field changes, it no longer holds.
  input.addEventListener("input", () => withdrawError(input, error));
  return { wrapper, input, error };
}

/** The checkbox deciding whether an edited front keeps the card's schedule (checked by default). */
function keepScheduleChoice() {
  const id = uid("keep");
  const input = el("input", { id, type: "checkbox", "aria-describedby": `${id}-help` });
  input.checked = true;
  const wrapper = el(
    "div",
    { class: "field checkbox" },
    el("div", { class: "checkbox-line" }, input, el("label", { for: id }, t("decks.keep_schedule"))),
    el("p", { id: `${id}-help`, class: "hint" }, t("decks.keep_schedule_help")),
  );
  return { wrapper, input };
}

/** Saves (PUT with `was`, or POST for a new card), then says so. */
async function saveCard(deck, cardId, loaded, front, backText, keepSchedule) {
  if (cardId === null) {
    edited(await api("POST", `/decks/${deck.id}/cards`, { front, back: backText }), "decks.added");
    return;
  }
  const result = await api("PUT", `/decks/${deck.id}/cards/${cardId}`, {
    front,
    back: backText,
    was: { front: loaded.front, back: loaded.back },
    keep_schedule: keepSchedule,
  });
  edited(result, result.schedule === "new" ? "decks.saved_new" : "decks.saved");
}

/** Shows the card as it is now, after someone else changed it. */
function showChanged(box, now) {
  const headingId = uid("changed");
  const parts = [el("h2", { id: headingId, tabindex: "-1" }, t("decks.changed_heading")), el("p", {}, t("decks.changed"))];
  if (now) {
    parts.push(
      el("p", { class: "card-now" }, t("decks.now_front", { text: now.front })),
      el("p", { class: "card-now" }, t("decks.now_back", { text: now.back })),
    );
  }
  box.replaceChildren(...parts);
  box.setAttribute("role", "region");
  box.setAttribute("aria-labelledby", headingId);
  box.hidden = false;
}

/** Deletes the card once the person confirms, and goes back to the deck. */
async function deleteCard(deck, cardId, button) {
  if (!(await ask(t("decks.delete_card_confirm")))) {
    return;
  }
  try {
    edited(await whileBusy(button, "decks.deleting", () => api("DELETE", `/decks/${deck.id}/cards/${cardId}`)), "decks.card_deleted");
    await back();
  } catch (err) {
    failed(err);
  }
}
