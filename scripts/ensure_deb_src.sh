#!/usr/bin/env bash
# Makes `apt-get source` work: when no deb-src line is configured, adds one for the same archive
# as the binary packages (/etc/apt/sources.list.d/jflow-deb-src.sources or .list) and updates the
# package lists. Used by the ThreadSanitizer pass, which builds Debian's own sources of the
# libraries jflow links (scripts/build_tsan_libzmq.sh, scripts/tsan_httplib_header.sh).
set -euo pipefail
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  exit 0
fi
# The same URIs and suites as the binary archive's entries, as deb-src.
if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
  sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
    $sudo_cmd tee /etc/apt/sources.list.d/jflow-deb-src.sources >/dev/null
else
  grep -hE '^deb ' /etc/apt/sources.list | sed -e 's/^deb /deb-src /' |
    $sudo_cmd tee /etc/apt/sources.list.d/jflow-deb-src.list >/dev/null
fi
echo "ensure_deb_src: added a deb-src entry; updating the package lists"
$sudo_cmd apt-get update -qq
