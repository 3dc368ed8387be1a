# Quizmaster as a container image: `docker build -t quizmaster .`, then see compose.yaml and
# README, "Deploy". No setting is baked in that is a secret: BOT_TOKEN, WEBHOOK_SECRET and the
# database password come from the environment at `docker run` / `docker compose up`.

# Stage 1: build the wheel (bundled decks included) and install it into a virtualenv.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY data/decks ./data/decks
RUN pip wheel --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/quizmaster \
 && wheel=$(echo /wheels/quizmaster-*.whl) \
 && /opt/quizmaster/bin/pip install "${wheel}[sentry]"

# Stage 2: the virtualenv alone on a clean base, run by an unprivileged user.
FROM python:3.12-slim
ENV PATH=/opt/quizmaster/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////data/quizmaster.sqlite3 \
    WEBHOOK_LISTEN=0.0.0.0:8080
RUN groupadd --system --gid 10001 quizmaster \
 && useradd --system --uid 10001 --gid quizmaster --create-home --home-dir /home/quizmaster quizmaster \
 && mkdir /data && chown quizmaster:quizmaster /data
COPY --from=build /opt/quizmaster /opt/quizmaster
USER quizmaster
# Matplotlib (the /stats chart) builds its font cache once, here, not at the first /stats.
RUN python -c "import matplotlib.font_manager"
# The SQLite database when DATABASE_URL is left as above (compose.yaml uses PostgreSQL instead).
VOLUME ["/data"]
WORKDIR /data
# The webhook listener (WEBHOOK_LISTEN); put a TLS-terminating proxy in front of it.
EXPOSE 8080
# /healthz on METRICS_LISTEN (default 127.0.0.1:9108, inside the container), polling or webhook:
# 200 while the database answers, 503 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; port = (os.environ.get('METRICS_LISTEN') or ':9108').rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
ENTRYPOINT ["quizmaster"]
CMD ["run", "--webhook"]
