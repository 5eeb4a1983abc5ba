#!/usr/bin/env bash
# Regenerate the image's pinned, hashed lock files from pyproject.toml's ranges (run after changing dependencies).
#   requirements.lock                    what the image runs: [project] dependencies, every wheel's sha256
#   deploy/build-requirements.lock       what the image's build stage needs to build the briefbot wheel
# Needs uv (`pip install uv`, or set UV=/path/to/uv). The lock is universal: one file for every platform and
# architecture, resolved for Python 3.11 (the base image's Python).
set -euo pipefail
cd "$(dirname "$0")/.."
uv="${UV:-uv}"
common=(--quiet --universal --python-version 3.11 --generate-hashes --no-annotate --custom-compile-command deploy/lock.sh)
"$uv" pip compile "${common[@]}" pyproject.toml -o requirements.lock
"$uv" pip compile "${common[@]}" deploy/build-requirements.in -o deploy/build-requirements.lock
