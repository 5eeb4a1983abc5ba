# PostgreSQL for the compose stack, from Debian's own packages on the same base as Briefbot's image (no registry
# needed: deploy/make-base-image.sh builds the base). Build: docker build -f deploy/postgres.Dockerfile deploy
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
# Debian's postinst makes a cluster under /var/lib/postgresql/15/main; ours lives in PGDATA, so drop that one.
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/lib/postgresql/15 /etc/postgresql/15/main \
    && mkdir -p /var/lib/postgresql/data && chown postgres:postgres /var/lib/postgresql/data && chmod 0700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER postgres
VOLUME ["/var/lib/postgresql/data"]
# Fast shutdown: open transactions are rolled back, clients disconnected, data flushed.
STOPSIGNAL SIGINT
HEALTHCHECK --interval=2s --timeout=3s --start-period=30s --retries=15 \
    CMD ["sh", "-c", "pg_isready -q -h 127.0.0.1 -p \"${POSTGRES_PORT:-5432}\""]
ENTRYPOINT ["postgres-entrypoint"]
