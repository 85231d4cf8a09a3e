#!/usr/bin/env bash
# Install, ingest the seed articles into the on-disk store (./data), and answer a sample question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export HF_HUB_OFFLINE=1
.venv/bin/python -m retrieval ingest
.venv/bin/python -m retrieval ask "${1:-Why did Ukraine leave the Kanal district?}"
