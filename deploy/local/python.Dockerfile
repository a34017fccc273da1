# A stand-in for python:3.10-slim-bookworm, for a machine that cannot pull the official image:
# Debian bookworm (iastm-local/debian:bookworm, from debootstrap) with this machine's CPython 3.10
# laid out as the official image lays it out (/usr/local). The build context is that Python's
# prefix (deploy/local/build.sh passes it); its site-packages are left out, pip comes from ensurepip.
ARG DEBIAN_IMAGE=iastm-local/debian:bookworm

FROM ${DEBIAN_IMAGE} AS tree
COPY . /usr/local/
RUN rm -rf /usr/local/lib/python3.10/site-packages/* /usr/local/lib/python3.10/test \
      /usr/local/lib/python3.10/lib-dynload/_tkinter* /usr/local/lib/python3.10/idlelib \
      /usr/local/lib/python3.10/tkinter /usr/local/lib/python3.10/config-3.10-x86_64-linux-gnu/*.a \
    && find /usr/local -depth -name __pycache__ -exec rm -rf {} +

FROM ${DEBIAN_IMAGE}
# The shared libraries CPython's modules load (what python:3.10-slim installs for the same reason).
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends ca-certificates netbase tzdata libssl3 libffi8 \
       libsqlite3-0 libbz2-1.0 liblzma5 libreadline8 libncursesw6 libuuid1 libexpat1 zlib1g libnsl2 \
       libtirpc3 libcrypt1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=tree /usr/local/ /usr/local/
ENV PATH=/usr/local/bin:$PATH LANG=C.UTF-8
RUN ldconfig \
    && python3.10 -m ensurepip --default-pip \
    && python3 -c "import ssl, sqlite3, ctypes, lzma, bz2, uuid, decimal, readline, zlib; print('python', __import__('sys').version)"
CMD ["python3"]
