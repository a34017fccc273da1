# A stand-in for the official postgres image, for a machine that cannot pull it: Debian's
# PostgreSQL 15 on iastm-local/debian:bookworm, started by postgres-entrypoint.sh, which reads the
# official image's settings (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA) and, like it,
# starts as root to own its directories and then runs as the user postgres.
ARG DEBIAN_IMAGE=iastm-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data \
    && install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
# As the official image: the data directory is a volume.
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["postgres-entrypoint.sh"]
CMD ["postgres"]
