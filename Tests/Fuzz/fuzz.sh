#!/usr/bin/env bash
# fuzz.sh - runs libFuzzer (with AddressSanitizer) on the parsers that take bytes from the
# network: the aggregator's ingest decoder, the collector's pixel-request parser, and the
# tracking links' destination validator.
#
#   Tests/Fuzz/fuzz.sh            # 60 s per target
#   SECONDS_PER_TARGET=600 Tests/Fuzz/fuzz.sh
#   TARGETS=ingest Tests/Fuzz/fuzz.sh
#
# Builds into .build-fuzz/ at the repository root with swiftc -sanitize=fuzzer,address:
# PixelCore as a static library, then one executable per target. The corpus of each target
# is kept in .build-fuzz/corpus-<target> across runs; the ingest corpus is seeded with valid
# frames encoded by PixelCore itself. A crash, a leak, a timeout (5 s per input) or a
# broken property stops the run: the input is saved in .build-fuzz/ as crash-*/leak-*/
# timeout-*, the script says which, and exits 1. Reproduce with
#   .build-fuzz/fuzz-<target> <that file>
# Needs: the Swift toolchain (its libFuzzer runtime).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/.build-fuzz"
SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-60}
TARGETS=${TARGETS:-"ingest hits destinations"}
FLAGS=(-sanitize=fuzzer,address -O -swift-version 6 -parse-as-library -g -package-name pixelpulse)
mkdir -p "$OUT"

build() { # name, log -> runs swiftc quietly, shows the log on failure
  local log="$OUT/build-$1.log"; shift
  if ! swiftc "$@" >"$log" 2>&1; then cat "$log" >&2; exit 1; fi
}

echo "building PixelCore and the fuzz targets into $OUT" >&2
mapfile -t CORE < <(find "$ROOT/Sources/PixelCore" -name '*.swift' | sort)
build core "${FLAGS[@]}" -emit-library -static -emit-module -module-name PixelCore \
  -emit-module-path "$OUT/PixelCore.swiftmodule" -o "$OUT/libPixelCore.a" "${CORE[@]}"
build ingest "${FLAGS[@]}" -I "$OUT" -L "$OUT" -lPixelCore -module-name FuzzIngest \
  -o "$OUT/fuzz-ingest" "$ROOT/Tests/Fuzz/IngestDecoderFuzz.swift"
HTTP="$ROOT/Sources/PixelCollector/HTTP"
build hits "${FLAGS[@]}" -I "$OUT" -L "$OUT" -lPixelCore -module-name FuzzHits -o "$OUT/fuzz-hits" \
  "$ROOT/Tests/Fuzz/HitRequestFuzz.swift" "$HTTP/HitRequest.swift" "$HTTP/PercentDecoding.swift" "$HTTP/RejectReason.swift"
LINKS="$ROOT/Sources/PixelCollector/Links"
build destinations "${FLAGS[@]}" -module-name FuzzDestinations -o "$OUT/fuzz-destinations" \
  "$ROOT/Tests/Fuzz/DestinationFuzz.swift" "$LINKS/Destination.swift" "$LINKS/DestinationError.swift" "$HTTP/PercentDecoding.swift"

status=0
for target in $TARGETS; do
  corpus="$OUT/corpus-$target"
  mkdir -p "$corpus"
  echo "fuzzing $target for ${SECONDS_PER_TARGET}s (corpus $corpus)" >&2
  if PIXELPULSE_FUZZ_SEEDS="$corpus" "$OUT/fuzz-$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=5 \
      -max_len=70000 -rss_limit_mb=4096 -artifact_prefix="$OUT/$target-" -print_final_stats=1 "$corpus" \
      >"$OUT/run-$target.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/run-$target.log")
    echo "$target: OK, $runs inputs, corpus $(find "$corpus" -type f | wc -l) files" >&2
  else
    status=1
    echo "$target: FAILED - see $OUT/run-$target.log; the input is:" >&2
    grep -E "Test unit written to|SUMMARY" "$OUT/run-$target.log" >&2 || tail -20 "$OUT/run-$target.log" >&2
  fi
done
exit $status
