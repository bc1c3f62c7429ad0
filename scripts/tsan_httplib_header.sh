#!/usr/bin/env bash
# Puts Debian's own cpp-httplib source (the installed libcpp-httplib-dev's version, with its
# patches) in DIR/httplib.h, for `./dev test --tsan`. Debian ships cpp-httplib split into a
# header of declarations and an uninstrumented libcpp-httplib.so; ThreadSanitizer cannot see the
# synchronisation inside that library. A function-local static initialised by one connection's
# thread (the set of method names in parse_request_line) then looks, to the next connection's
# thread, like a race on memory it never saw published. Under TSan the build compiles the
# upstream header-only form instead (-DJFLOW_HTTPLIB_HEADER_DIR=DIR), instrumented with the rest.
#
#   scripts/tsan_httplib_header.sh [DIR]      (default: build-tsan/httplib)
#
# Cached: when DIR holds the header of the same version, it does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath -m "${1:-build-tsan/httplib}")
version=$(dpkg-query -W -f='${source:Version}' libcpp-httplib-dev)
source_package=$(dpkg-query -W -f='${source:Package}' libcpp-httplib-dev)
stamp="$dir/.jflow-fetched-$version"
if [[ -f "$stamp" && -f "$dir/httplib.h" ]]; then
  exit 0
fi

scripts/ensure_deb_src.sh

work="$dir.fetch"
rm -rf "$work"
mkdir -p "$work" "$dir"
echo "tsan_httplib_header: fetching the source of $source_package $version"
(cd "$work" && apt-get source -qq "$source_package=$version" >/dev/null)
header=$(find "$work" -mindepth 2 -maxdepth 2 -name httplib.h | head -1)
[[ -n "$header" ]] || { echo "tsan_httplib_header: no httplib.h in $work" >&2; exit 1; }
# The whole library is in this header (its implementation, not only declarations).
grep -q "^inline bool Server::listen_internal" "$header" ||
  { echo "tsan_httplib_header: $header is not the header-only form" >&2; exit 1; }
cp "$header" "$dir/httplib.h"
touch "$stamp"
rm -rf "$work"
echo "tsan_httplib_header: done ($dir/httplib.h)"
