# syntax=docker/dockerfile:1
# One image for every Nexus process. The default command serves HTTP with
# gunicorn (WSGI); compose overrides it for uvicorn (ASGI/WebSockets), the
# Celery worker, beat and flower, and for the one-shot migration.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: resolve the locked dependencies into /app/.venv --------------
FROM ${PYTHON_IMAGE} AS builder

# Same uv as the one that wrote uv.lock, so --frozen reads it as written.
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install "uv==${UV_VERSION}"

WORKDIR /app
COPY pyproject.toml uv.lock ./
# Only the lock files are copied first, so code changes reuse this layer.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# --- runtime: the slim base, the venv and the code, run as a non-root user --
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/app/.venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=nexus.settings \
    WEB_CONCURRENCY=2

RUN groupadd --system --gid 10001 nexus \
    && useradd --system --uid 10001 --gid nexus --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin nexus

WORKDIR /app
# Root owns the venv and the code, so a compromised process cannot rewrite them.
COPY --from=builder /app/.venv /app/.venv
COPY . .

# Collected as production does (hashed, compressed, with a manifest), so
# NEXUS_ENV=production here; the key and host exist for this step only and
# are not kept in the image's environment.
RUN NEXUS_ENV=production \
    SECRET_KEY=build-only-collectstatic-key-never-used-at-runtime-0123456789 \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput \
    && python -m compileall -q nexus \
    && mkdir -p var \
    && chown nexus:nexus var

USER nexus:nexus
EXPOSE 8000 8001 5555

# Liveness only: /healthz does no I/O. Services on other ports override it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Workers come from WEB_CONCURRENCY; deploy/gunicorn.conf.py loads the app once
# and forks them from it, and recycles them to bound slow leaks.
CMD ["gunicorn", "nexus.wsgi:application", "--config", "deploy/gunicorn.conf.py", \
     "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
