# Production image: gunicorn serves Django (static files through whitenoise); the same
# image runs the Celery worker and beat with a different command (see docker-compose.yml).
# All configuration comes from environment variables at run time (see .env.example).

# --- translations ---------------------------------------------------------------------
# The repository holds only the .po sources; compile them with GNU gettext here so the
# runtime image does not carry gettext.
FROM python:3.11-slim AS locale

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

COPY locale/ /locale/
RUN set -eu; \
    for po in $(find /locale -name '*.po'); do \
        msgfmt --check-format -o "${po%.po}.mo" "$po"; \
    done

# --- front-end packages ---------------------------------------------------------------
# From the npm registry at build time, pinned by package-lock.json; only the files land in
# the runtime image, not Node.js.
FROM node:20-slim AS assets

WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

# --- runtime --------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cooperation.settings

# A writable home of its own (gunicorn keeps its control socket in ~/.gunicorn); the
# code in /app stays owned by root.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first so this layer is cached until requirements.txt changes.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
COPY --from=locale /locale/ /app/locale/
COPY --from=assets /assets/node_modules/ /app/node_modules/

# Build-time only: DJANGO_DEBUG=0 selects whitenoise's compressed manifest storage.
# The secret key, hosts and URLs below are throwaway values that exist for this RUN
# line only; collectstatic and the API schema build connect to neither the database nor
# Redis. The schema is built into the image, read-only to the app user (API_SCHEMA_DIR).
ENV API_SCHEMA_DIR=/app/api-schema
RUN DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY=collectstatic-build-only-not-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1ub3QtYS1zZWNyZXQta2V5LTMyYnk= \
    FIELD_DIGEST_KEY=collectstatic-build-only-not-a-secret-digest-key \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    sh -c 'python manage.py collectstatic --no-input && python manage.py build_api_schema'

# The code and static files stay owned by root: the app user only needs to read them.
USER app

EXPOSE 8000

# No HEALTHCHECK here: worker and beat run this image too and listen on no port.
# docker-compose.yml defines the checks per service.
CMD ["gunicorn", "cooperation.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
