#!/usr/bin/env bash
# Builds Debian's own libzmq (the source of the installed libzmq3-dev, same version and patches)
# with -fsanitize=thread into a prefix, for `./dev test --tsan`. ThreadSanitizer sees only the
# memory accesses of instrumented code: with Debian's binary libzmq, a message handed from one
# thread to another inside libzmq looks like a race to it (thousands of false reports).
#
#   scripts/build_tsan_libzmq.sh [PREFIX]      (default: build-tsan/libzmq)
#
# Cached: when PREFIX holds a build of the same version, it does nothing. The source comes from
# `apt-get source` (scripts/ensure_deb_src.sh adds a deb-src entry when there is none).
# CURVE uses libzmq's bundled tweetnacl (no libsodium-dev needed); the wire protocol is the same.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(realpath -m "${1:-build-tsan/libzmq}")
version=$(dpkg-query -W -f='${source:Version}' libzmq3-dev)
source_package=$(dpkg-query -W -f='${source:Package}' libzmq3-dev)
stamp="$prefix/.jflow-built-$version"
if [[ -f "$stamp" && -f "$prefix/lib/libzmq.so" ]]; then
  exit 0
fi

scripts/ensure_deb_src.sh

work="$prefix.build"
rm -rf "$work"
mkdir -p "$work"
echo "build_tsan_libzmq: fetching the source of $source_package $version"
(cd "$work" && apt-get source -qq "$source_package=$version" >/dev/null)
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "${source_package%3}*" | head -1)
[[ -n "$src" ]] || { echo "build_tsan_libzmq: no source folder in $work" >&2; exit 1; }

echo "build_tsan_libzmq: building $src with -fsanitize=thread into $prefix"
flags="-fsanitize=thread -g -O1 -fno-omit-frame-pointer"
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
  -DWITH_LIBSODIUM=OFF -DENABLE_CURVE=ON -DENABLE_DRAFTS=OFF -DWITH_DOCS=OFF -DBUILD_TESTS=OFF \
  -DBUILD_STATIC=OFF -DBUILD_SHARED=ON -DWITH_PERF_TOOL=OFF -DENABLE_CPACK=OFF >"$work/configure.log"
nice cmake --build "$work/build" -j"$(nproc)" >"$work/build.log"
cmake --install "$work/build" >/dev/null
touch "$stamp"
rm -rf "$work"
echo "build_tsan_libzmq: done ($prefix/lib/libzmq.so)"
