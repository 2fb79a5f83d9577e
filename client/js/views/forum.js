// Forum views: boards, a board's threads, a thread (live), a new thread, search.
// Routes are exported for main.js; all member text goes in via textContent
// (post bodies through forum-render.js's allow-list rebuild).
import { api } from "../api.js";
import { h, clear, announce } from "../dom.js";
import { t } from "../i18n.js";
import { live } from "../socket.js";
import { getState } from "../store.js";
import { checked, composer, noteChoices } from "./forum-compose.js";
import { foldedBody, noteLabel, reactionButtons, snippet } from "./forum-render.js";
import { reportButton } from "./moderation-member.js";

const isModerator = () => ["moderator", "admin"].includes(getState().user?.role);
const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
const go = (hash) => location.replace(hash);

// Followed threads: a notification carries ids and the title only.
live.on("forum_notification", (frame) => {
  if (location.hash === `#/forum/threads/${frame.thread_id}`) return;  // already reading it: the reply shows there
  const text = t("forum.notification", { title: frame.thread_title });
  announce(text);
  const toast = h("div", { class: "forum-toast", role: "status" },
    h("a", { href: `#/forum/threads/${frame.thread_id}`, text }),
    h("button", { type: "button", class: "link", "aria-label": t("help.close"), text: "×", onclick: () => toast.remove() }));
  document.body.append(toast);
  setTimeout(() => toast.remove(), 8000);
});

function searchForm(value = "") {
  const input = h("input", { type: "search", name: "q", value, "aria-label": t("forum.searchLabel"), placeholder: t("forum.searchLabel") });
  const form = h("form", { class: "forum-search", role: "search" }, input, h("button", { type: "submit", class: "btn", text: t("forum.searchButton") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim()) go(`#/forum/search?q=${encodeURIComponent(input.value.trim())}`);
  });
  return form;
}

async function renderBoards(main) {
  const list = h("ul", { class: "room-list" });
  const prefs = h("details", { class: "forum-prefs" }, h("summary", { text: t("forum.prefsTitle") }));
  clear(main).append(h("section", { class: "page" },
    h("h1", { text: t("forum.title") }), h("p", { class: "muted", text: t("forum.intro") }), searchForm(), list, prefs));
  const [{ boards }, preferences] = await Promise.all([api("/api/v1/forum/boards"), api("/api/v1/forum/preferences")]);
  for (const board of boards) {
    list.append(h("li", {}, h("a", { class: "room-link", href: `#/forum/boards/${board.id}` },
      h("span", { class: "room-name", text: board.name }),
      h("span", { class: "room-desc", text: board.description }),
      h("span", { class: "muted", text: t("forum.threadCount", { count: board.thread_count }) }))));
  }
  const form = h("form", {}, h("p", { class: "muted", text: t("forum.prefsIntro") }),
    noteChoices("hidden_note_kinds", preferences.hidden_note_kinds),
    h("button", { type: "submit", class: "btn", text: t("room.save") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await api("/api/v1/forum/preferences", { method: "PUT", body: { hidden_note_kinds: checked(form, "hidden_note_kinds") } });
    announce(t("forum.prefsSaved"));
  });
  prefs.append(form);
}

function threadItem(thread) {
  const badges = [
    thread.pinned ? t("forum.pinned") : null, thread.locked ? t("forum.locked") : null,
    thread.hidden ? t("forum.hidden") : null, thread.unread ? t("forum.unread") : null,
  ].filter(Boolean);
  return h("li", { class: `thread-item${thread.unread ? " unread" : ""}` },
    h("a", { href: `#/forum/threads/${thread.id}`, class: "room-link" },
      h("span", { class: "room-name", text: thread.title }),
      thread.content_notes.length ? h("span", { class: "note-label", text: t("forum.contentNote", { notes: noteLabel(thread.content_notes) }) }) : null,
      h("span", { class: "muted", text: t("forum.threadMeta", {
        author: thread.author ? thread.author.pseudonym : t("room.formerMember"), replies: thread.reply_count, when: when(thread.last_activity_at) }) }),
      badges.length ? h("span", { class: "badges", text: badges.join(" · ") }) : null));
}

async function renderBoard(main, boardId) {
  const title = h("h1", { text: "…" });
  const description = h("p", { class: "muted" });
  const pinned = h("ul", { class: "room-list pinned" });
  const list = h("ul", { class: "room-list" });
  const more = h("button", { type: "button", class: "link", hidden: true, text: t("forum.more") });
  const start = h("a", { class: "btn primary", href: `#/forum/boards/${boardId}/new`, text: t("forum.newThread") });
  const archived = h("p", { class: "notice", hidden: true, text: t("forum.boardArchived") });
  clear(main).append(h("section", { class: "page" },
    h("a", { href: "#/forum", class: "back", text: `← ${t("forum.allBoards")}` }), title, description,
    archived, start, pinned, list, more));
  let cursor = null;
  async function load() {
    const page = await api(`/api/v1/forum/boards/${boardId}/threads${cursor ? `?cursor=${cursor}` : ""}`);
    title.textContent = page.board.name;
    description.textContent = page.board.description;
    archived.hidden = !page.board.archived;
    start.hidden = Boolean(page.board.archived);
    for (const thread of page.pinned) pinned.append(threadItem(thread));
    for (const thread of page.threads) list.append(threadItem(thread));
    if (!cursor && !page.threads.length && !page.pinned.length && !page.board.archived) list.append(h("li", { class: "muted", text: t("forum.noThreads") }));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", load);
  await load();
}

function renderNewThread(main, boardId) {
  clear(main).append(h("section", { class: "page" },
    h("a", { href: `#/forum/boards/${boardId}`, class: "back", text: `← ${t("forum.backToBoard")}` }),
    h("h1", { text: t("forum.newThread") }),
    composer({ withTitle: true, submitLabel: t("forum.post"), onSubmit: async (data) => {
      const { thread } = await api(`/api/v1/forum/boards/${boardId}/threads`, { method: "POST", body: data });
      go(`#/forum/threads/${thread.id}`);
    } })));
}

function renderThread(main, threadId) {
  const posts = new Map();
  let thread = null;
  let boardArchived = false;
  let boardChoices = null;  // moderators: the open boards a thread can move to
  let cursor = null;
  const title = h("h1", { id: "thread-title", text: "…" });
  const info = h("p", { class: "muted" });
  const tools = h("div", { class: "thread-tools" });
  const list = h("ol", { class: "messages posts", "aria-labelledby": "thread-title" });
  const replyBox = h("div", { class: "reply-box" });
  clear(main).append(h("section", { class: "page thread" }, h("a", { href: "#/forum", class: "back", text: `← ${t("forum.allBoards")}` }),
    title, info, tools, list, replyBox));

  function renderPost(post) {
    const mine = post.author && post.author.id === getState().user?.id;
    const meta = h("div", { class: "meta" },
      h("span", { class: "author", text: post.author ? post.author.pseudonym : t("room.formerMember") }),
      h("time", { datetime: post.created_at, text: when(post.created_at) }),
      post.edited_at && !post.deleted ? h("span", { class: "edited", text: t("room.edited") }) : null,
      post.unread ? h("span", { class: "badges", text: t("forum.new") }) : null,
      post.hidden ? h("span", { class: "badges", text: t("forum.hidden") }) : null);
    const actions = h("div", { class: "actions" });
    if (mine && !post.deleted) {
      actions.append(
        h("button", { type: "button", class: "link", text: t("room.edit"), onclick: () => startEdit(post) }),
        h("button", { type: "button", class: "link", text: t("room.delete"), onclick: () => remove(post) }));
    }
    if (!mine && post.author && !post.deleted) actions.append(reportButton("post", post.id));
    if (isModerator() && !post.deleted) {
      actions.append(h("button", { type: "button", class: "link", text: post.hidden ? t("forum.unhide") : t("forum.hide"), onclick: async () => {
        const { post: changed } = await api(`/api/v1/forum/posts/${post.id}/hide`, { method: "POST", body: { hidden: !post.hidden } });
        upsert(changed);
      } }));
    }
    return h("li", { class: `message post${mine ? " mine" : ""}`, dataset: { id: String(post.id) } },
      meta, foldedBody(post), post.deleted ? null : reactionButtons(post), actions);
  }

  function upsert(post) {
    posts.set(post.id, post);
    const node = renderPost(post);
    const existing = list.querySelector(`li[data-id="${post.id}"]`);
    if (existing) { existing.replaceWith(node); return; }
    let after = list.lastElementChild;
    while (after && Number(after.dataset.id) > post.id) after = after.previousElementSibling;
    if (after) after.after(node); else list.prepend(node);
  }

  function drop(postId) {
    posts.delete(postId);
    list.querySelector(`li[data-id="${postId}"]`)?.remove();
  }

  function startEdit(post) {
    const node = list.querySelector(`li[data-id="${post.id}"]`);
    node.replaceChildren(composer({
      withTitle: post.is_opening, title: thread.title, body: post.source || "", notes: post.content_notes, submitLabel: t("room.save"),
      onCancel: () => upsert(post),
      onSubmit: async (data) => {
        if (!post.is_opening) delete data.title;
        const { post: changed } = await api(`/api/v1/forum/posts/${post.id}`, { method: "PATCH", body: data });
        upsert(changed);
        if (data.title) title.textContent = data.title;
      },
    }));
  }

  async function remove(post) {
    if (!window.confirm(post.is_opening ? t("forum.confirmWithdraw") : t("forum.confirmDelete"))) return;
    const { post: gone } = await api(`/api/v1/forum/posts/${post.id}`, { method: "DELETE" });
    if (post.is_opening) go("#/forum"); else upsert(gone);
  }

  function drawThread() {
    title.textContent = thread.title;
    info.textContent = [
      t("forum.startedBy", { author: thread.author ? thread.author.pseudonym : t("room.formerMember"), when: when(thread.created_at) }),
      thread.pinned ? t("forum.pinned") : null, thread.locked ? t("forum.locked") : null,
    ].filter(Boolean).join(" · ");
    const canReply = !boardArchived && (!thread.locked || isModerator());
    replyBox.replaceChildren(boardArchived ? h("p", { class: "notice", text: t("forum.boardArchivedThread") }) : canReply
      ? composer({ submitLabel: t("forum.reply"), onSubmit: async (data) => {
        const { post } = await api(`/api/v1/forum/threads/${threadId}/replies`, { method: "POST", body: data });
        upsert(post);
        replyBox.querySelector("textarea").value = "";
        replyBox.querySelector(".preview").hidden = true;
      } })
      : h("p", { class: "notice", text: t("forum.lockedNotice") }));
  }

  function drawTools(following) {
    tools.replaceChildren(h("button", { type: "button", class: "btn", "aria-pressed": String(following),
      text: following ? t("forum.unfollow") : t("forum.follow"), onclick: async () => {
        const result = await api(`/api/v1/forum/threads/${threadId}/follow`, { method: following ? "DELETE" : "PUT" });
        drawTools(result.following);
      } }));
    if (!isModerator()) return;
    const act = (label, path, body, done) => h("button", { type: "button", class: "link", text: label, onclick: async () => {
      ({ thread } = await api(`/api/v1/forum/threads/${threadId}/${path}`, { method: "POST", body: body() }));
      drawThread();
      drawTools(following);
      if (done) done();
    } });
    tools.append(act(thread.pinned ? t("forum.unpin") : t("forum.pin"), "pin", () => ({ pinned: !thread.pinned })),
      act(thread.locked ? t("forum.unlock") : t("forum.lock"), "lock", () => ({ locked: !thread.locked })));
    const others = (boardChoices || []).filter((board) => board.id !== thread.board_id);
    if (!others.length) return;
    const choice = h("select", { "aria-label": t("forum.moveTo") },
      others.map((board) => h("option", { value: String(board.id), text: board.name })));
    const boardName = () => others.find((board) => board.id === thread.board_id)?.name || "";
    tools.append(h("span", { class: "move-thread" }, choice,
      act(t("forum.move"), "move", () => ({ board_id: Number(choice.value) }), () => announce(t("forum.moved", { board: boardName() })))));
  }

  // Subscribe first, then read: anything written in between arrives live (upserts by id).
  async function load() {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor) query.set("cursor", cursor);
    const page = await api(`/api/v1/forum/threads/${threadId}?${query}`);
    thread = page.thread;
    boardArchived = Boolean(page.board?.archived);
    if (isModerator() && !boardChoices) boardChoices = (await api("/api/v1/forum/boards")).boards;
    for (const post of page.posts) upsert(post);
    cursor = page.next_cursor;
    drawThread();
    drawTools(page.following);
    if (page.has_more) return load();
    if (cursor) api(`/api/v1/forum/threads/${threadId}/read`, { method: "POST", body: { post_id: Number(cursor) } }).catch(() => {});
    return undefined;
  }
  const subscribe = () => live.raw({ type: "subscribe_thread", thread_id: threadId });
  const offs = [
    live.on("hello", () => { subscribe(); load(); }),
    live.on("thread_resync", (f) => { if (f.thread_id === threadId) load(); }),
    ...["forum_post", "forum_post_edited"].map((type) => live.on(type, (f) => {
      if (f.thread_id !== threadId) return;
      const fresh = !posts.has(f.post.id);
      upsert(f.post);
      if (fresh && type === "forum_post" && f.post.author?.id !== getState().user?.id) announce(t("forum.newReply"));
    })),
    live.on("forum_post_removed", (f) => {
      if (f.thread_id !== threadId) return;
      if (f.reason === "hidden") drop(f.post_id);
      else if (posts.has(f.post_id)) upsert({ ...posts.get(f.post_id), deleted: true, body_html: null });
    }),
    live.on("forum_post_hidden", (f) => {
      if (f.thread_id === threadId && posts.has(f.post_id)) upsert({ ...posts.get(f.post_id), hidden: f.hidden });
    }),
    live.on("forum_thread_updated", (f) => { if (f.thread_id === threadId) { thread = { ...thread, ...f.thread }; drawThread(); } }),
    live.on("forum_thread_removed", (f) => { if (f.thread_id === threadId) go("#/forum"); }),
  ];
  subscribe();
  const ready = load();
  const leave = () => {
    for (const off of offs) off();
    live.raw({ type: "unsubscribe_thread", thread_id: threadId });
  };
  return ready.then(() => leave, (error) => { leave(); throw error; });
}

async function renderSearch(main, encoded) {
  const q = decodeURIComponent(encoded || "");
  const results = h("ol", { class: "room-list search-results" });
  clear(main).append(h("section", { class: "page" }, h("a", { href: "#/forum", class: "back", text: `← ${t("forum.allBoards")}` }),
    h("h1", { text: t("forum.searchTitle") }), searchForm(q), results));
  if (!q) return;
  try {
    const found = await api(`/api/v1/search?q=${encodeURIComponent(q)}`);
    if (!found.results.length) results.append(h("li", { class: "muted", text: t("forum.noResults") }));
    for (const hit of found.results) {
      const where = hit.kind === "post" ? hit.thread_title : t("forum.inRoom", { room: hit.room_name });
      const href = hit.kind === "post" ? `#/forum/threads/${hit.thread_id}` : `#/rooms/${hit.room_id}`;
      results.append(h("li", {}, h("a", { class: "room-link", href },
        h("span", { class: "room-name", text: where }),
        hit.muted_by_note ? h("span", { class: "muted", text: t("forum.mutedNote", { notes: noteLabel(hit.content_notes) }) }) : snippet(hit.snippet),
        h("span", { class: "muted", text: `${hit.author ? hit.author.pseudonym : t("room.formerMember")} · ${when(hit.created_at)}` }))));
    }
  } catch (problem) {
    results.append(h("li", { class: "form-error", role: "alert", text: problem.detail || t("error.generic") }));
  }
}

export const forumRoutes = [
  [/^#\/forum\/search(?:\?q=(.*))?$/, (el, q) => renderSearch(el, q)],
  [/^#\/forum\/boards\/(\d+)\/new$/, (el, id) => renderNewThread(el, Number(id))],
  [/^#\/forum\/boards\/(\d+)$/, (el, id) => renderBoard(el, Number(id))],
  [/^#\/forum\/threads\/(\d+)$/, (el, id) => renderThread(el, Number(id))],
  [/^#\/forum$/, (el) => renderBoards(el)],
];
