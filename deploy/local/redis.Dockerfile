# A stand-in for the official redis image, for a machine that cannot pull it: Debian's Redis 7 on
# iastm-local/debian:bookworm. Like the official image, it accepts connections from other
# containers without a configuration file (protected mode off: only internal networks reach it).
ARG DEBIAN_IMAGE=iastm-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o redis -g redis /data
COPY redis-entrypoint.sh /usr/local/bin/redis-entrypoint.sh
VOLUME /data
WORKDIR /data
USER redis
EXPOSE 6379
ENTRYPOINT ["redis-entrypoint.sh"]
CMD ["redis-server"]
