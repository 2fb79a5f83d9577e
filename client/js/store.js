// A small observable store: views read state and re-render on change.
const state = {
  user: null,           // {id, pseudonym, role}
  rooms: [],
  connection: "idle",   // idle | connecting | online | offline
};
const listeners = new Set();

export function getState() {
  return state;
}

export function setState(patch) {
  Object.assign(state, patch);
  for (const listener of listeners) listener(state);
}

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
