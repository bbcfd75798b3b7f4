#!/usr/bin/env bash
# Cross-validation of mcu's block classifier and the scikit-learn baseline on the same folds.
#   bash benches/triage_cv.sh [LABELLED.jsonl] [K]
set -euo pipefail
file=${1:-../shared/data/appeals_dev.jsonl}
k=${2:-5}
bin=${MCU_BIN:-target/release/mcu}
[ -x "$bin" ] || cargo build --release -q
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
"$bin" --workspace "$ws" eval --cv "$k" --folds-out "$ws/folds.json" "$file"
python3 benches/baseline_tfidf.py --folds "$ws/folds.json" --seeds data/triage_seeds.jsonl "$file"
