// Shared pieces of the forum views: safe post bodies, content notes, reactions.
//
// `body_html` is sanitized on the server (server/sanitize.py). We still never
// assign it with innerHTML: it is parsed inertly (DOMParser runs no script) and
// rebuilt element by element from the same small allow-list, so a server bug
// could at worst drop formatting, never add script or styling.
import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

const TAGS = new Set(["P", "BR", "EM", "STRONG", "UL", "OL", "LI", "BLOCKQUOTE", "CODE", "PRE", "A"]);
const LINK_REL = "nofollow noopener ugc";

function rebuild(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const children = Array.from(node.childNodes, rebuild).filter(Boolean);
  if (!TAGS.has(node.tagName)) return children.length ? children : null;  // keep the text, drop the tag
  const el = document.createElement(node.tagName.toLowerCase());
  if (node.tagName === "A") {
    const href = node.getAttribute("href") || "";
    if (/^https?:\/\//i.test(href)) {
      el.setAttribute("href", href);
      el.setAttribute("rel", LINK_REL);
      el.setAttribute("target", "_blank");
    }
  }
  if (node.tagName === "OL" && /^\d{1,6}$/.test(node.getAttribute("start") || "")) el.setAttribute("start", node.getAttribute("start"));
  el.append(...children.flat());
  return el;
}

export function postBody(html) {
  const parsed = new DOMParser().parseFromString(html || "", "text/html");
  const box = h("div", { class: "post-body" });
  box.append(...Array.from(parsed.body.childNodes, rebuild).flat().filter(Boolean));
  return box;
}

export function noteLabel(kinds) {
  return kinds.map((kind) => t(`forum.note.${kind}`)).join(", ");
}

// A post under a content note is folded: the reader sees the note and taps to reveal.
// A post under a kind the reader always hides shows one line and "show anyway".
export function foldedBody(post) {
  if (post.deleted) return h("p", { class: "removed", text: t("forum.removed") });
  if (post.muted_by_note) {
    const holder = h("div", { class: "content-note muted" },
      h("p", { text: t("forum.mutedNote", { notes: noteLabel(post.content_notes) }) }));
    const show = h("button", { type: "button", class: "link", text: t("forum.showAnyway"), onclick: async () => {
      const { post: full } = await api(`/api/v1/forum/posts/${post.id}`);
      holder.replaceWith(postBody(full.body_html));
    } });
    holder.append(show);
    return holder;
  }
  const body = postBody(post.body_html);
  if (!post.content_notes.length) return body;
  body.hidden = true;
  const reveal = h("button", { type: "button", class: "btn", "aria-expanded": "false", text: t("forum.reveal") });
  reveal.addEventListener("click", () => {
    body.hidden = !body.hidden;
    reveal.setAttribute("aria-expanded", String(!body.hidden));
    reveal.textContent = body.hidden ? t("forum.reveal") : t("forum.hideAgain");
  });
  return h("div", { class: "content-note" },
    h("p", { class: "note-label", text: t("forum.contentNote", { notes: noteLabel(post.content_notes) }) }), reveal, body);
}

export function reactionButtons(post) {
  const row = h("div", { class: "reactions" });
  const draw = (counts, mine) => {
    row.replaceChildren(...["relate", "support"].map((kind) => {
      const on = mine.includes(kind);
      return h("button", {
        type: "button", class: `reaction${on ? " on" : ""}`, "aria-pressed": String(on),
        text: t(`forum.reaction.${kind}`, { count: counts[kind] || 0 }),
        onclick: async () => {
          const result = await api(`/api/v1/forum/posts/${post.id}/reactions/${kind}`, { method: on ? "DELETE" : "PUT" });
          draw(result.reactions, result.my_reactions);
        },
      });
    }));
  };
  draw(post.reactions, post.my_reactions);
  return row;
}

// Plain-text search snippets: highlighted segments go in <mark>, all via textContent.
export function snippet(segments) {
  return h("p", { class: "snippet" }, ...(segments || []).map((s) => (s.highlight ? h("mark", { text: s.text }) : s.text)));
}
