# The image `jflow export --k8s / --compose` runs (default tag jflow:latest, docs/KUBERNETES.md):
#   docker build -t jflow:latest .
# Two stages on Debian 12: the first builds and installs jflow with Debian's packages (the same
# ones scripts/setup.sh names), the second holds the installed tree and the runtime libraries.
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config libzmq3-dev cppzmq-dev libmsgpack-cxx-dev libcli11-dev \
      libyaml-cpp-dev libcpp-httplib-dev nlohmann-json3-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Only the binary and what it links (no tests, benchmarks or Python package), installed in /opt.
RUN rm -rf build && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/opt/jflow \
      -DJFLOW_BUILD_TESTS=OFF -DJFLOW_BUILD_BENCH=OFF -DJFLOW_BUILD_EXAMPLES=OFF \
    && cmake --build build -j"$(nproc)" --target jflow \
    && cmake --install build

FROM debian:12
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libzmq5 libyaml-cpp0.7 libcpp-httplib0.11 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/jflow /opt/jflow
RUN ln -s /opt/jflow/bin/jflow /usr/local/bin/jflow && jflow --version
# The exported workloads mount the flow at /etc/jflow/flow, CURVE keys at /etc/jflow/keys (mode
# 0400: the key files must not be readable by others, so the containers run as root, their owner)
# and executor state at /var/lib/jflow/workspace.
RUN mkdir -p /etc/jflow/flow /etc/jflow/keys /var/lib/jflow/workspace
WORKDIR /var/lib/jflow
EXPOSE 45600 45678 45680
CMD ["jflow", "--help"]
