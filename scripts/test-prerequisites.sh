#!/usr/bin/env bash
# What the test suite needs from the machine besides npm packages, found or installed: run by
# `npm test` (its pretest step) and by .ci/run, so the README's test command needs nothing done
# by hand. Each need is checked first; apt-get runs only for what is missing.
set -euo pipefail

apt_packages=()

# DynamoDB Local (the store contract and the DynamoDB adapter tests) runs AWS's jar: Java 17+.
java_major() {
  # `java -version` prints e.g. `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_…" for 8).
  java -version 2>&1 | sed -n 's/.* version "\([0-9]*\)\(\.\([0-9]*\)\)\{0,1\}.*/\1 \3/p' | head -n 1 |
    awk '{ print ($1 == 1) ? $2 : $1 }'
}
if ! command -v java >/dev/null 2>&1 || ! major="$(java_major)" || [ -z "$major" ] || [ "$major" -lt 17 ]; then
  apt_packages+=(default-jre-headless)
fi

# The release report is checked in headless Chromium (test/report), with fonts to render text;
# SWITCHYARD_CHROMIUM names another browser instead (test/report/chromium.ts).
if [ -z "${SWITCHYARD_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  apt_packages+=(chromium fonts-liberation)
fi

if [ "${#apt_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "the tests need these Debian packages, and this user cannot install them: ${apt_packages[*]}" >&2
    echo "install them (sudo apt-get install -y ${apt_packages[*]}), or set SWITCHYARD_CHROMIUM to a Chromium" >&2
    exit 1
  fi
  echo "installing what the tests need: ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${apt_packages[@]}"
fi

# moto: test/setup/moto.ts starts moto_server for the *.moto.test.ts files. It is part of the
# machine image (moto 5.x with its server extra) and cannot be installed here: PyPI is not
# reachable from this machine kind. Without it, stop now and say so.
if ! command -v moto_server >/dev/null 2>&1; then
  echo 'moto_server not found on PATH: the moto adapter tests need moto 5.x with its server extra' \
    '(pip install "moto[server]"), which belongs in the machine image (PyPI is not reachable here)' >&2
  exit 1
fi
# The Python that runs moto_server: the python3 beside it (as test/support/moto-server.ts finds it).
moto_python="$(dirname "$(readlink -f "$(command -v moto_server)")")/python3"
[ -x "$moto_python" ] || moto_python=python3
if ! "$moto_python" -c 'import moto' >/dev/null 2>&1; then
  echo "moto_server is on PATH but $moto_python cannot import moto" >&2
  exit 1
fi
