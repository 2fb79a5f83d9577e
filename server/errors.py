"""One error family: each error carries a stable code, an HTTP status, a WebSocket
error code (the same string) and a plain message a member can read.

Anything that is not a HearthError is a bug: it becomes a logged 500 (or an
`internal` error frame) with no details leaked."""

from __future__ import annotations


class HearthError(Exception):
    status = 400
    code = "bad_request"
    detail = "That request could not be understood."

    def __init__(self, detail: str | None = None, *, code: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.detail = detail or type(self).detail
        if code:
            self.code = code
        self.headers = headers or {}
        super().__init__(self.detail)

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


class BadRequest(HearthError):
    status = 400
    code = "bad_request"


class InvalidField(BadRequest):
    code = "invalid"


class NotAuthenticated(HearthError):
    status = 401
    code = "not_authenticated"
    detail = "Please log in to continue."


class Forbidden(HearthError):
    status = 403
    code = "forbidden"
    detail = "You don't have permission to do that."


class NotFound(HearthError):
    """Used for both "missing" and "not yours", so existence never leaks."""

    status = 404
    code = "not_found"
    detail = "We couldn't find that."


class RequestTimeout(HearthError):
    status = 408
    code = "request_timeout"
    detail = "That request arrived too slowly. Please check your connection and try again."


class Conflict(HearthError):
    status = 409
    code = "conflict"
    detail = "That conflicts with something that already exists."


class PayloadTooLarge(HearthError):
    status = 413
    code = "too_large"
    detail = "That request is too large."


class RateLimited(HearthError):
    status = 429
    code = "rate_limited"
    detail = "That's a lot at once. Please wait a moment and try again."

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)

    def to_dict(self) -> dict[str, str]:
        return {**super().to_dict(), "retry_after": str(self.retry_after)}


class ServiceUnavailable(HearthError):
    status = 503
    code = "unavailable"
    detail = "Hearth is busy for a moment. Please try again shortly."


class NumberOutOfRange(BadRequest):
    code = "number_out_of_range"
    detail = "A number in that request is far too large. Please check it and try again."


def out_of_range(exc: BaseException) -> bool:
    """Whether `exc` is a number too large for the database (or the calendar) to hold.

    Ids and counts a client sends are checked where they are read, but a number
    past 64 bits can reach a query through many doors (a path, a query string,
    JSON, a frame). No stored row has such an id, so it is bad input, never a
    server error: the last-resort handlers answer it with this 400."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OverflowError):
            return True
        text = str(current)
        if type(current).__name__ == "DataError" and ("out of int64 range" in text or "out of range" in text):
            return True  # asyncpg, for a bind parameter past BIGINT
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False
