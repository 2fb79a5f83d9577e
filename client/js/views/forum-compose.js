// The forum composer: Markdown in a textarea, content notes, and a preview
// rendered by the server exactly as the post will be stored.
import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { postBody } from "./forum-render.js";

export const CONTENT_NOTES = ["relapse", "self-harm", "suicide", "trauma", "abuse", "grief", "substance-use", "medical"];

export function noteChoices(name, chosen = []) {
  return h("fieldset", { class: "note-choices" },
    h("legend", { text: t(`forum.${name}Legend`) }),
    ...CONTENT_NOTES.map((kind) => h("label", {},
      h("input", { type: "checkbox", name, value: kind, checked: chosen.includes(kind) }),
      ` ${t(`forum.note.${kind}`)}`)));
}

export function checked(form, name) {
  return Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (input) => input.value);
}

// onSubmit({title?, body, content_notes}) returns a promise; its errors are shown here.
export function composer({ withTitle = false, title = "", body = "", notes = [], submitLabel, onSubmit, onCancel }) {
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const titleInput = withTitle ? h("input", { id: "forum-title", name: "title", required: true, maxlength: 150, value: title }) : null;
  const text = h("textarea", { id: "forum-body", name: "body", rows: 8, required: true, "aria-describedby": "forum-format-hint" });
  text.value = body;
  const preview = h("div", { class: "preview", "aria-live": "polite", hidden: true });
  const showPreview = h("button", { type: "button", class: "btn", text: t("forum.preview"), onclick: async () => {
    error.hidden = true;
    try {
      const result = await api("/api/v1/forum/preview", { method: "POST", body: { body: text.value } });
      preview.replaceChildren(h("p", { class: "muted", text: t("forum.previewLabel") }), postBody(result.body_html));
      preview.hidden = false;
    } catch (problem) {
      error.textContent = problem.detail || t("error.generic");
      error.hidden = false;
    }
  } });
  const form = h("form", { class: "forum-composer" },
    withTitle ? h("label", { for: "forum-title", text: t("forum.titleLabel") }) : null, titleInput,
    h("label", { for: "forum-body", text: t("forum.bodyLabel") }), text,
    h("p", { id: "forum-format-hint", class: "muted", text: t("forum.formatHint") }),
    noteChoices("content_notes", notes),
    error, preview,
    h("div", { class: "composer-actions" },
      showPreview,
      h("button", { type: "submit", class: "btn primary", text: submitLabel }),
      onCancel ? h("button", { type: "button", class: "link", text: t("room.cancel"), onclick: onCancel }) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const data = { body: text.value, content_notes: checked(form, "content_notes") };
    if (withTitle) data.title = titleInput.value;
    try {
      await onSubmit(data);
    } catch (problem) {
      error.textContent = problem.detail || t("error.generic");
      error.hidden = false;
    }
  });
  return form;
}
