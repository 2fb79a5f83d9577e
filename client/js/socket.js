// The one WebSocket: reconnects by itself, resumes every joined room from the
// last seq it saw (the server replays what was missed, without gaps or
// duplicates), and resends unacknowledged messages with the same client_id,
// so nothing typed while offline is lost or doubled.
// 1008 reasons after which this session can never reconnect (docs/protocol.md);
// `role_changed` is not one: the session lives on with new rights, so it reconnects.
const SESSION_ENDED = new Set(["logged_out", "session_expired", "password_changed", "session_ended", "ended_by_member",
  "account_deleted", "second_factor_reset", "suspended", "banned"]);

export class Live {
  constructor() {
    this.socket = null;
    this.handlers = new Map();          // frame type -> Set of callbacks
    this.lastSeq = new Map();           // room id -> highest seq seen
    this.joined = new Set();            // room ids to (re)join
    this.outbox = new Map();            // client_id -> send frame not yet acknowledged
    this.pending = new Map();           // ref -> {resolve, reject}
    this.attempt = 0;
    this.stopped = false;
    this.refCounter = 0;
  }

  on(type, callback) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(callback);
    return () => this.handlers.get(type).delete(callback);
  }

  emit(type, frame) {
    for (const callback of this.handlers.get(type) || []) callback(frame);
    for (const callback of this.handlers.get("*") || []) callback(frame);
  }

  connect() {
    this.stopped = false;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket = socket;
    this.emit("status", { type: "status", state: this.attempt ? "reconnecting" : "connecting" });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", (event) => this.closed(event));
  }

  receive(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    switch (frame.type) {
      case "hello":
        this.attempt = 0;
        this.emit("status", { type: "status", state: "online" });
        for (const roomId of this.joined) this.sendJoin(roomId);
        for (const send of this.outbox.values()) this.raw(send);
        break;
      case "ack":
        this.outbox.delete(frame.client_id);
        break;
      case "message":
      case "message_edited":
      case "message_hidden":
      case "message_deleted":
      case "resync_required":
        if (typeof frame.seq === "number") {
          this.lastSeq.set(frame.room_id, Math.max(this.lastSeq.get(frame.room_id) || 0, frame.seq));
        }
        break;
      case "joined":
        if (!this.lastSeq.has(frame.room.id)) this.lastSeq.set(frame.room.id, frame.room.last_seq);
        break;
      default:
        break;
    }
    if (frame.ref !== undefined && this.pending.has(frame.ref)) {
      const { resolve } = this.pending.get(frame.ref);
      this.pending.delete(frame.ref);
      resolve(frame);
    }
    this.emit(frame.type, frame);
  }

  closed(event) {
    this.socket = null;
    for (const { reject } of this.pending.values()) reject(new Error("disconnected"));
    this.pending.clear();
    if (this.stopped) return;
    if (event.code === 1008 && SESSION_ENDED.has(event.reason)) {
      this.emit("session_ended", { type: "session_ended", reason: event.reason });
      return;
    }
    this.emit("status", { type: "status", state: navigator.onLine === false ? "offline" : "reconnecting" });
    // Exponential back-off with jitter, so a restarted server isn't stampeded.
    const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    setTimeout(() => this.connect(), delay);
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  raw(frame) {
    if (this.isOpen) this.socket.send(JSON.stringify(frame));
  }

  request(frame) {
    const ref = `r${++this.refCounter}`;
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new Error("offline"));
        return;
      }
      this.pending.set(ref, { resolve, reject });
      this.raw({ ...frame, ref });
    });
  }

  join(roomId) {
    this.joined.add(roomId);
    if (this.isOpen) this.sendJoin(roomId);
  }

  sendJoin(roomId) {
    const frame = { type: "join", room_id: roomId };
    if (this.lastSeq.has(roomId)) frame.after_seq = this.lastSeq.get(roomId);
    this.raw(frame);
  }

  leave(roomId) {
    this.joined.delete(roomId);
    this.raw({ type: "leave", room_id: roomId });
  }

  send(roomId, body, replyTo = null) {
    const clientId = newClientId();
    const frame = { type: "send", room_id: roomId, body, client_id: clientId };
    if (replyTo) frame.reply_to = replyTo;
    this.outbox.set(clientId, frame);
    this.raw(frame);
    return clientId;
  }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close(1000);
    this.joined.clear();
    this.lastSeq.clear();
    this.outbox.clear();
  }
}

// crypto.randomUUID needs a secure context; getRandomValues works everywhere.
function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "c-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const live = new Live();
