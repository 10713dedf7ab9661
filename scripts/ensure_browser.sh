#!/usr/bin/env bash
# Browser tests drive Debian's chromium. Install it (and CJK fonts) when we can; say what to
# install when we can't. Under CI=true a missing browser fails the run: never a silent skip.
set -euo pipefail
PACKAGES="chromium fonts-noto-cjk"
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|WenQuanYi" || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
  exit 0
fi
echo "The browser tests need Debian's packages: sudo apt-get install -y $PACKAGES" >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
echo "Continuing: browser tests will be skipped on this machine." >&2
