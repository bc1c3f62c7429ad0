#!/bin/sh
# ctest's install_consumer: installs this build into a temporary prefix, then configures, builds
# and runs examples/consumer against it with find_package(jflow). Exit 77 (ctest: skipped) when
# cmake cannot be run.
#   install_consumer_test.sh CMAKE BUILD_DIR SOURCE_DIR [SANITIZE]
set -eu
cmake_bin=$1 build=$2 source=$3 sanitize=${4:-}
if ! "$cmake_bin" --version >/dev/null 2>&1; then
  echo "SKIPPED: cannot run cmake ('$cmake_bin')"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/jflow-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
"$cmake_bin" --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/jflow/async_flow.hpp"
test -f "$work/prefix/include/jflow/reactor/epoll.hpp"
test -x "$work/prefix/bin/jflow"
# Only the public API is installed, and each public header stands on its own against the installed
# tree alone: a header that reached into src/ (a private "wire/…" or "flow/…") fails here.
for header in $(cd "$work/prefix/include" && find jflow -name '*.hpp' | sort); do
  case $header in jflow/reactor/libuv.hpp | jflow/reactor/libevent.hpp | jflow/reactor/asio.hpp)
    continue ;;  # need their event loop's headers; built by the examples and the tests
  esac
  echo "#include <$header>" | ${CXX:-c++} -std=c++20 -fsyntax-only -DMSGPACK_NO_BOOST \
    -I"$work/prefix/include" -x c++ - || { echo "installed $header does not compile alone"; exit 1; }
done
flags=""
if [ -n "$sanitize" ]; then
  # libjflow.so was built with sanitizers: the consumer must load their runtime first.
  flags="-fsanitize=$sanitize"
fi
"$cmake_bin" -S "$source/examples/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
"$cmake_bin" --build "$work/consumer" >/dev/null
"$work/consumer/consumer"
# The installed binary runs from its prefix (its RPATH finds the installed libjflow.so).
"$work/prefix/bin/jflow" --help >/dev/null
