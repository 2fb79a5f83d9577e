// Tiny helpers to build DOM safely: text always goes through textContent,
// never innerHTML, so nothing a member types can become markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// A control with its visible label wrapped around it.
export function field(label, control) {
  return h("label", { class: "field" }, h("span", { text: label }), control);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  const line = h("p", { text });
  region.append(line);
  while (region.childElementCount > 5) region.firstElementChild.remove();
}
