# A stand-in for nginxinc/nginx-unprivileged, for a machine that cannot pull it: Debian's nginx
# (sid: 1.27.3 or newer, for `resolve` in upstreams) run as an unprivileged user that writes only
# to /tmp, logging to the container's output.
ARG DEBIAN_IMAGE=iastm-local/debian:sid
FROM ${DEBIAN_IMAGE}
# sid's Release file is valid for a week only: a mirror snapshot older than that is still taken.
RUN apt-get update -q -o Acquire::Check-Valid-Until=false \
    && apt-get install -y -q --no-install-recommends nginx wget \
    && rm -rf /var/lib/apt/lists/* \
    && ln -sf /dev/stderr /var/log/nginx/error.log \
    && ln -sf /dev/stdout /var/log/nginx/access.log
# As nginx-unprivileged: user and group 101 (nginx needs no account when it does not start as root).
USER 101:101
EXPOSE 8080
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
