// A room: history over REST, live changes over the socket, upserted by id and
// shown in seq order. Member text is only ever set with textContent.
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";
import { openHelp } from "../safety.js";

const PAGE = 50;

export function renderRoom(main, roomId) {
  const messages = new Map();      // id -> message
  const pendingNodes = new Map();  // client_id -> element
  let oldestId = null;
  let room = null;

  const title = h("h1", { id: "room-title", text: "…" });
  const rules = h("details", { class: "rules" }, h("summary", { text: t("room.rules") }), h("p", { class: "rules-text" }));
  const older = h("button", { type: "button", class: "link load-older", text: t("room.loadOlder"), onclick: loadOlder });
  const list = h("ol", { class: "messages", "aria-labelledby": "room-title" });
  const input = h("textarea", { id: "compose", name: "body", rows: 2, maxlength: 4000, required: true, "aria-label": t("room.compose"), placeholder: t("room.compose") });
  const form = h("form", { class: "composer" }, input, h("button", { type: "submit", class: "btn primary", text: t("room.send") }));
  const archivedNote = h("p", { class: "notice", hidden: true, text: t("room.archived") });
  const unattendedNote = h("div", { class: "notice", hidden: !getState().unattended },
    h("p", { text: t("room.unattended") }), h("button", { type: "button", class: "link", text: t("safety.helpNow"), onclick: openHelp }));

  clear(main).append(h("section", { class: "room", "aria-labelledby": "room-title" },
    h("div", { class: "room-head" }, h("a", { href: "#/rooms", class: "back", text: `← ${t("room.back")}` }), title, rules),
    unattendedNote, older, list, archivedNote, form));

  function authorLabel(message) {
    if (!message.author) return t("room.formerMember");
    return message.author.id === getState().user?.id ? `${message.author.pseudonym} (${t("room.you")})` : message.author.pseudonym;
  }

  function renderMessage(message) {
    const mine = message.author && message.author.id === getState().user?.id;
    const body = message.deleted
      ? h("p", { class: "body removed", text: t("room.removed") })
      : message.body === null
        ? h("p", { class: "body removed", text: t("room.hidden") })
        : h("p", { class: "body", text: message.body });
    const note = message.hidden && message.body !== null ? h("p", { class: "muted", text: t("room.hiddenFromOthers") })
      : message.held ? h("p", { class: "muted", text: t("room.held") }) : null;
    const meta = h("div", { class: "meta" },
      h("span", { class: "author", text: authorLabel(message) }),
      h("time", { datetime: message.created_at, text: new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
      message.edited_at && !message.deleted ? h("span", { class: "edited", text: t("room.edited") }) : null);
    const actions = mine && !message.deleted ? h("div", { class: "actions" },
      h("button", { type: "button", class: "link", text: t("room.edit"), onclick: () => startEdit(message) }),
      h("button", { type: "button", class: "link", text: t("room.delete"), onclick: () => remove(message) })) : null;
    return h("li", { class: `message${mine ? " mine" : ""}`, dataset: { id: String(message.id), seq: String(message.seq) } }, meta, body, note, actions);
  }

  function upsert(message, { announceIt = false } = {}) {
    const known = messages.get(message.id);
    // Room events never carry hidden words; the author keeps the copy they already have.
    if (message.hidden && message.body === null && known && known.body !== null && known.author?.id === getState().user?.id) {
      message = { ...message, body: known.body };
    }
    messages.set(message.id, message);
    const node = renderMessage(message);
    const existing = list.querySelector(`li[data-id="${message.id}"]`);
    if (existing) {
      existing.replaceWith(node);
    } else {
      const pending = pendingNodes.get(message.client_id);
      if (pending) {
        pending.remove();
        pendingNodes.delete(message.client_id);
      }
      // Keep seq order: walk back from the end (new messages almost always go last).
      let after = list.lastElementChild;
      while (after && after.dataset.seq && Number(after.dataset.seq) > message.seq) after = after.previousElementSibling;
      if (after) after.after(node); else list.prepend(node);
      if (announceIt && !(message.author && message.author.id === getState().user?.id)) {
        announce(t("room.newMessage", { author: authorLabel(message) }));
      }
    }
    if (oldestId === null || message.id < oldestId) oldestId = message.id;
  }

  async function loadOlder() {
    const query = oldestId ? `?limit=${PAGE}&before=${oldestId}` : `?limit=${PAGE}`;
    const { messages: page } = await api(`/api/v1/rooms/${roomId}/messages${query}`);
    for (const message of page) upsert(message);
    if (page.length < PAGE) {
      older.replaceWith(h("p", { class: "muted start", text: t("room.noMore") }));
    }
  }

  function startEdit(message) {
    const node = list.querySelector(`li[data-id="${message.id}"]`);
    const editor = h("textarea", { rows: 2, maxlength: 4000, "aria-label": t("room.edit") });
    editor.value = message.body;
    const save = h("button", { type: "button", class: "btn", text: t("room.save"), onclick: async () => {
      const reply = await live.request({ type: "edit", message_id: message.id, body: editor.value });
      if (reply.type === "edited") upsert(reply.message);
    } });
    const cancel = h("button", { type: "button", class: "link", text: t("room.cancel"), onclick: () => upsert(message) });
    node.replaceChildren(editor, save, cancel);
    editor.focus();
  }

  async function remove(message) {
    if (!window.confirm(t("room.confirmDelete"))) return;
    const reply = await live.request({ type: "delete", message_id: message.id });
    if (reply.type === "deleted") upsert(reply.message);
  }

  const offs = [
    live.on("joined", (frame) => {
      if (frame.room.id !== roomId) return;
      room = frame.room;
      title.textContent = room.name;
      rules.querySelector(".rules-text").textContent = room.rules;
      archivedNote.hidden = !room.archived;
      unattendedNote.hidden = !frame.unattended;
      form.hidden = room.archived;
      if (oldestId === null) loadOlder();
    }),
    ...["message", "message_edited", "message_deleted", "message_hidden"].map((type) => live.on(type, (frame) => {
      if (frame.room_id === roomId) upsert(frame.message, { announceIt: type === "message" && !frame.replay });
    })),
    live.on("room_mode", (frame) => { unattendedNote.hidden = !frame.unattended; }),
    live.on("resync_required", (frame) => {
      if (frame.room_id !== roomId) return;
      clear(list);
      messages.clear();
      oldestId = null;
      loadOlder();
    }),
    live.on("ack", (frame) => {
      if (frame.message.room_id === roomId) upsert(frame.message);
    }),
  ];

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    const clientId = live.send(roomId, body);
    const pending = h("li", { class: "message mine pending", dataset: { clientId } },
      h("div", { class: "meta" }, h("span", { class: "author", text: t("room.pending") })),
      h("p", { class: "body", text: body }));
    pendingNodes.set(clientId, pending);
    list.append(pending);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  live.join(roomId);
  return () => {
    for (const off of offs) off();
    live.leave(roomId);
  };
}
