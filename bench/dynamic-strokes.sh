#!/usr/bin/env bash
# Issue 17's experiment, run by hand (not a test): on the bundled strokes set, a DARTS search over the
# dynamic-strokes space (static and dynamic candidates on every edge), retrained from scratch, against the best
# network of the same space's static candidates only (an exhaustive grid over its 27 architectures, each trained
# briefly, the best retrained like the searched one), for several seeds. Prints one JSON line per run and a summary.
#
#   bench/dynamic-strokes.sh [SEEDS...]      (default 1 2 3; needs core/target/cellforge.jar: mvn -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-core/target/cellforge.jar}
SEEDS=${*:-1 2 3}
SEARCH_EPOCHS=${SEARCH_EPOCHS:-4}
RETRAIN_EPOCHS=${RETRAIN_EPOCHS:-6}
GRID_EPOCHS=${GRID_EPOCHS:-2}
WORK=$(mktemp -d /tmp/dynamic-strokes.XXXX)
cf() { java -jar "$JAR" "$@"; }

# The same space with its dynamic candidates removed: what a static convolution can do here.
sed -e 's/, dyn_conv_3x3, dyn_sep_conv_3x3, dyn_dil_conv_3x3//' -e 's/^name: dynamic-strokes/name: static-strokes/' \
    resources/spaces/dynamic-strokes.yaml > "$WORK/static-strokes.yaml"
grep -q dyn_ "$WORK/static-strokes.yaml" && { echo "the static space still has dynamic ops" >&2; exit 1; }

cf search "$WORK/static-strokes.yaml" --data strokes --strategy grid --estimator subnet --budget 27 \
    --epochs "$GRID_EPOCHS" --seed 1 --out "$WORK/grid" > "$WORK/grid.log" 2>&1
STATIC_ARCH=$(ls "$WORK"/grid/*.arch.yaml | head -1)

accuracy() { sed -n 's/.*"test_accuracy" *: *\([0-9.]*\).*/\1/p' | head -1; }
for s in $SEEDS; do
  cf search --zoo dynamic-strokes --data strokes --strategy darts --epochs "$SEARCH_EPOCHS" --seed "$s" \
      --out "$WORK/search-$s" > "$WORK/search-$s.log" 2>&1
  ARCH=$(ls "$WORK/search-$s"/*.arch.yaml | head -1)
  dyn=$(cf retrain "$ARCH" --zoo dynamic-strokes --data strokes --epochs "$RETRAIN_EPOCHS" --seed "$s" --json | accuracy)
  stat=$(cf retrain "$STATIC_ARCH" --space "$WORK/static-strokes.yaml" --data strokes --epochs "$RETRAIN_EPOCHS" \
      --seed "$s" --json | accuracy)
  chosen=$(grep -E '^  [a-z0-9_]+: ' "$ARCH" | sed 's/^  //' | paste -sd, -)
  static=$(grep -E '^  [a-z0-9_]+: ' "$STATIC_ARCH" | sed 's/^  //' | paste -sd, -)
  echo "{\"seed\": $s, \"searched\": \"$chosen\", \"searched_test_accuracy\": $dyn, \"best_static\": \"$static\", \"static_test_accuracy\": $stat}"
done
echo "work folder: $WORK (grid log: $WORK/grid.log)"
