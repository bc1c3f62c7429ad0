#!/usr/bin/env bash
# Installs jflow's build dependencies from Debian's packages. Idempotent: installs only what is missing.
set -euo pipefail
packages=(cmake g++ make pkg-config libzmq3-dev cppzmq-dev libmsgpack-cxx-dev libcli11-dev catch2
          libyaml-cpp-dev libuv1-dev libasio-dev libevent-dev libcpp-httplib-dev nlohmann-json3-dev
          iproute2
          prometheus  # promtool: the metrics tests check the text with Prometheus's own checker
          # the Python package (python/) for Debian's /usr/bin/python3, and its tests
          pybind11-dev python3-dev python3-numpy python3-yaml python3-pytest python3-pytest-asyncio
          python3-nbclient python3-ipykernel
          clang libclang-rt-14-dev  # ./dev fuzz: libFuzzer with ASan + UBSan
          dpkg-dev                  # ./dev test --tsan: apt-get source unpacks Debian's libzmq
          # jflow export's validators (tests/deploy): Compose's own parser and systemd-analyze
          docker-compose systemd)
# ... and node with npm, which installs kubernetes-models into a temporary folder. Debian's
# packages only when there is no npm yet: another node (e.g. NodeSource's, which bundles npm)
# would conflict with Debian's npm package.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
