// Every member-facing string lives here, so a community can translate Hearth
// without touching code. Keys are dotted; {name} placeholders are filled by t().
const catalogue = {
  "app.name": "Hearth",
  "app.tagline": "Peer support for people in recovery. Anonymous, kind, open at 3 a.m.",
  "safety.helpNow": "Get help now",
  "safety.quickExit": "Quick exit",
  "safety.quickExitHint": "Leaves Hearth at once. You can also press Escape three times.",
  "help.title": "You are not alone",
  "help.intro": "If you might hurt yourself or someone else, or someone may have overdosed, please reach out now.",
  "help.close": "Close",
  "help.resources": [
    "Call or text 988 (Suicide & Crisis Lifeline, US), any time.",
    "SAMHSA National Helpline: 1-800-662-4357, free and confidential, 24/7.",
    "Emergency: call 911 (or your local emergency number).",
    "Overdose: call emergency services, give naloxone if you have it, and stay with the person.",
  ],
  "nav.rooms": "Rooms",
  "nav.logout": "Log out",
  "nav.login": "Log in",
  "nav.signup": "Join",
  "auth.signupTitle": "Join Hearth",
  "auth.signupIntro": "No email and no real name. Choose a pseudonym that doesn't identify you.",
  "auth.loginTitle": "Welcome back",
  "auth.recoverTitle": "Reset your password with a recovery code",
  "auth.pseudonym": "Pseudonym",
  "auth.password": "Password",
  "auth.passwordHint": "At least 10 characters. A few random words work well.",
  "auth.newPassword": "New password",
  "auth.recoveryCode": "Recovery code",
  "auth.remember": "Keep me signed in on this device",
  "auth.suggestions": "Ideas:",
  "auth.moreIdeas": "More ideas",
  "auth.signupButton": "Create my account",
  "auth.loginButton": "Log in",
  "auth.recoverButton": "Reset password",
  "auth.haveAccount": "Already have an account? Log in",
  "auth.needAccount": "New here? Join",
  "auth.forgot": "Forgot your password?",
  "auth.codesTitle": "Your recovery codes",
  "auth.codesIntro": "Hearth has no email, so these codes are the only way back into your account if you forget your password. Each works once. Write them down or keep them somewhere private. We will not show them again.",
  "auth.codesSaved": "I have saved my recovery codes",
  "auth.codesContinue": "Continue",
  "rooms.title": "Rooms",
  "rooms.intro": "Pick a room to join the conversation. Everyone here is a person in recovery or someone who cares about one.",
  "rooms.empty": "No rooms yet.",
  "room.back": "All rooms",
  "room.rules": "Room guidelines",
  "room.loadOlder": "Show earlier messages",
  "room.noMore": "This is the start of the room.",
  "room.compose": "Write a message",
  "room.send": "Send",
  "room.edit": "Edit",
  "room.delete": "Remove",
  "room.save": "Save",
  "room.cancel": "Cancel",
  "room.edited": "edited",
  "room.removed": "Message removed",
  "room.formerMember": "a former member",
  "room.you": "you",
  "room.confirmDelete": "Remove this message for everyone?",
  "room.pending": "sending…",
  "room.archived": "This room is archived. You can read it, but not post.",
  "room.newMessage": "New message from {author}",
  "status.connecting": "Connecting…",
  "status.offline": "You're offline. Messages you write will be sent when the connection is back.",
  "status.reconnecting": "Reconnecting…",
  "status.restored": "Back online.",
  "status.sessionEnded": "Your session has ended. Please log in again.",
  "error.generic": "Something went wrong. Please try again.",
  "error.network": "We couldn't reach Hearth. Check your connection and try again.",
};

export function t(key, vars = {}) {
  const text = catalogue[key];
  if (text === undefined) return key;
  if (typeof text !== "string") return text;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function extendCatalogue(entries) {
  Object.assign(catalogue, entries);
}

export function translateStatic(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}
