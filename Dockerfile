FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY moderation ./moderation
COPY migrations ./migrations
COPY client ./client
RUN pip install --no-cache-dir . && useradd --system --home /app hearth
ENV HEARTH_CLIENT_DIR=/app/client HEARTH_HOST=0.0.0.0 HEARTH_PORT=8000
USER hearth
EXPOSE 8000
CMD ["hearth", "serve", "--no-migrate"]
