# Briefbot in one container. With no credentials it answers on the console; in production set SLACK_* and/or
# DISCORD_TOKEN, and BRIEFBOT_STATE_URL=postgresql+asyncpg://... when several replicas share the work.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY briefings ./briefings
COPY config ./config
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 briefbot
COPY --from=build /install /usr/local
USER briefbot
WORKDIR /home/briefbot
ENV BRIEFBOT_HTTP__HOST=0.0.0.0 \
    BRIEFBOT_STATE_URL=sqlite+aiosqlite:////home/briefbot/state/briefbot-state.db \
    PYTHONUNBUFFERED=1
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)" || exit 1
# The store and config are package data; mount your own store and set BRIEFBOT_STORE to serve it.
CMD ["briefbot", "run"]
