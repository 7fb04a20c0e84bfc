# energize in a container: built with the Swift toolchain, run on a slim Debian with libpq and
# libmongoc. `docker build -t energize .` then see deploy/docker-compose.yml.
# (No container engine runs on the machine this was written on: scripts/validate-deploy.sh checks
# what can be checked without one; README "Deploy" says what was and was not run.)

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpq-dev libmongoc-dev libbson-dev zlib1g-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names every target (examples and tests included), so the whole tree is copied;
# .dockerignore keeps build folders out.
COPY . .
# scripts/build-release.sh: Swift's libraries linked in; libcurl (Foundation's networking, linked
# through the HTTP server of `energize serve`) stays a shared library like libpq and libmongoc.
RUN bash scripts/build-release.sh energize \
 && install -D "$(swift build -c release --show-bin-path)/energize" /out/energize

FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpq5 libmongoc-1.0-0 libbson-1.0-0 libcurl4 libstdc++6 zlib1g ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /home/energize --shell /usr/sbin/nologin energize
COPY --from=build /out/energize /usr/local/bin/energize
# The project (energize.yml, contracts/, models/, …) is mounted here; connection strings come from
# ENERGIZE_MONGO_URI and ENERGIZE_PG_URI, never from the image.
WORKDIR /project
USER energize
ENTRYPOINT ["/usr/local/bin/energize"]
CMD ["schedule"]
