# Briefbot in one container. With no credentials it serves its HTTP health endpoint and scheduler on the bundled
# store; in production set SLACK_* and/or DISCORD_TOKEN (or *_FILE), and BRIEFBOT_STATE_URL=postgresql+asyncpg://...
# when several replicas share the work.
#
# Pinned: dependencies come only from requirements.lock (exact versions, sha256 of every wheel; regenerate it with
# deploy/lock.sh). Read-only friendly: everything the bot writes goes under /data, the one volume to mount:
#   docker run -d --read-only -v briefbot-data:/data -p 8080:8080 briefbot
# No registry? deploy/make-base-image.sh builds BASE_IMAGE from Debian packages.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
WORKDIR /src
# strip(1), for the build stage only: most wheels ship their C extensions with debug info (about 40 MB of them).
# Not the libraries auditwheel vendored into <package>.libs/: stripped, numpy's OpenBLAS no longer loads ("ELF load
# command address/offset not page-aligned").
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binutils >/dev/null
# Dependencies before the code, so a code change rebuilds only the last layers. Wheels only, each checked by hash,
# but for feedgen, which publishes only its source (pure Python): built here with the locked setuptools above.
COPY requirements.lock deploy/build-requirements.lock ./
RUN pip install --require-hashes --only-binary=:all: -r build-requirements.lock \
    && pip install --prefix=/install --require-hashes --only-binary=:all: --no-binary=feedgen --no-build-isolation \
        --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY briefings ./briefings
COPY config ./config
# The project itself: built with the locked setuptools above, nothing resolved or downloaded here.
RUN pip install --prefix=/install --no-deps --no-build-isolation . \
    && find /install -depth -type d -name tests -path '*/site-packages/*/tests' -prune -exec rm -rf {} + \
    && find /install -type f -name '*.so*' -not -path '*.libs/*' -exec strip --strip-unneeded {} + \
    && rm -f /install/bin/Activate.ps1

FROM ${BASE_IMAGE}
# A fixed uid/gid so volume ownership and Kubernetes' runAsUser are predictable; its home is the data volume.
RUN groupadd --gid 10001 briefbot \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /data --shell /usr/sbin/nologin briefbot \
    && mkdir -p /data && chown 10001:10001 /data && chmod 0750 /data
COPY --from=build /install /usr/local
# State, caches and temporary files all under /data, so the root filesystem can be read-only (--read-only).
# The HTTP server listens on every interface so a published port reaches it; /healthz is what the check calls.
ENV HOME=/data \
    XDG_CACHE_HOME=/data/.cache \
    XDG_CONFIG_HOME=/data/.config \
    XDG_DATA_HOME=/data/.local/share \
    XDG_STATE_HOME=/data/.local/state \
    TMPDIR=/data \
    BRIEFBOT_STATE_URL=sqlite+aiosqlite:////data/briefbot-state.db \
    BRIEFBOT_HTTP__HOST=0.0.0.0 \
    BRIEFBOT_HTTP__PORT=8080 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# SIGTERM stops the app cleanly (services stopped, state closed); docker stop waits 10 s before SIGKILL.
STOPSIGNAL SIGTERM
# Asks the bot's own /healthz on the host and port it was configured with (config file or BRIEFBOT_HTTP__*);
# any error or non-2xx status (urllib raises) exits 1, which Docker reads as unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["python", "-c", "import urllib.request; from bot.config import load_settings; s = load_settings().http; h = '127.0.0.1' if s.host in ('', '0.0.0.0') else '[::1]' if s.host == '::' else s.host; urllib.request.urlopen(f'http://{h}:{s.port}/healthz', timeout=4)"]
# The store and config are package data; mount your own store and set BRIEFBOT_STORE to serve it.
CMD ["briefbot", "run"]
