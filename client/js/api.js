// REST calls. The session lives in an HttpOnly cookie: no token ever touches
// localStorage or the URL.
export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;  // the server's plain-words explanation, which the views show
  }
}

export async function api(path, options = {}) {
  try {
    return await request(path, options);
  } catch (error) {
    // A read that hit a restarting or momentarily busy server is tried once more.
    const retriable = (options.method || "GET") === "GET" && (error.status === 0 || error.status >= 500);
    if (!retriable) throw error;
    await new Promise((resolve) => setTimeout(resolve, 400));
    return request(path, options);
  }
}

async function request(path, { method = "GET", body } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", null);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data.error || {};
    throw new ApiError(response.status, error.code || "http_error", error.detail || null);
  }
  return data;
}
