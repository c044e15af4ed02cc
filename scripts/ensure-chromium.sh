#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the console's browser tests
# (test/browser/, driven by playwright-core, which downloads no browser of its own).
# Idempotent and quick when it is already there; called by the browser tests' global setup.
set -euo pipefail

CHROMIUM="${LOGFED_CHROMIUM:-/usr/bin/chromium}"
say() { printf 'chromium: %s\n' "$*"; }
die() { printf 'chromium: %s\n' "$*" >&2; exit 1; }

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
[ "$CHROMIUM" = /usr/bin/chromium ] ||
  die "LOGFED_CHROMIUM=$CHROMIUM is not an executable: point it at a Chromium binary, or unset it to use Debian's"
command -v apt-get >/dev/null 2>&1 ||
  die "$CHROMIUM is missing and this system has no apt-get: install Chromium and set LOGFED_CHROMIUM to its binary"

SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    die "$CHROMIUM is missing and installing it needs root: run 'apt-get update && apt-get install -y chromium' as root"
  SUDO="sudo -n"
fi

# Two test runs may both get here: apt's own lock serialises them; the loser finds it installed.
LOCK="${TMPDIR:-/tmp}/logfed-chromium.lock"
exec 9>"$LOCK"
flock 9 2>/dev/null || true
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

say "installing Debian's chromium for the browser tests (once per machine)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null ||
  die "'apt-get update' failed: check the package sources, then run 'apt-get update && apt-get install -y chromium'"
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
  die "'apt-get install chromium' failed: run 'apt-get update && apt-get install -y chromium' and read its output"
[ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM is not there: check 'dpkg -L chromium'"
say "ready: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
