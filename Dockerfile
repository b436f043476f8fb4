# hitclock: the three services (and the demo tools) in one runtime image.
# Base: debian:bookworm-slim (scripts/make-base-image creates it locally when
# no registry can be reached).

FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# The dependency layer only changes when this list does: what building the
# services, the CLI and the simulator needs (scripts/install-deps installs
# these and the test, lint and example tools on a development machine).
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev \
      libsqlitecpp-dev libsqlite3-dev libspdlog-dev libfmt-dev \
      libutf8proc-dev libsimdjson-dev libcli11-dev libcurl4-openssl-dev \
      libssl-dev nlohmann-json3-dev \
 && rm -rf /var/lib/apt/lists/*
# Only what the build reads, so that editing tests, docs or scripts does not
# rebuild the tree.
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY protos/ protos/
COPY common/ common/
COPY services/ services/
COPY cli/ cli/
COPY fuzz/ fuzz/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DHITCLOCK_BUILD_TESTS=OFF -DHITCLOCK_BUILD_BENCHMARKS=OFF \
 && cmake --build /build --parallel "$(nproc)" \
 && mkdir -p /out \
 && find /build -name 'hitclock*' -type f -perm -u+x -exec cp {} /out/ \; \
 && strip /out/* \
 && ls -l /out

FROM debian:bookworm-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      ca-certificates libgrpc++1.51 libprotobuf32 libspdlog1.10 libfmt9 \
      libutf8proc2 libsqlite3-0 libcurl4 libsimdjson14 libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home --home-dir /var/lib/hitclock hitclock \
 && mkdir -p /data /opt/hitclock/demo && chown hitclock:hitclock /data
COPY --from=build /out/ /usr/local/bin/
COPY demo/ /opt/hitclock/demo/
COPY scripts/demo-load /usr/local/bin/hitclock-demo-load
USER hitclock
ENV HITCLOCK_DATA_DIR=/data HITCLOCK_LOG_FORMAT=json
VOLUME ["/data"]
