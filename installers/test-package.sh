#!/usr/bin/env bash
# The package test (installers/README.md): unpacks the .deb into a temporary root (dpkg -x, no root needed) and
# checks the installed CLI (--version, stats) and the installed app (its window appears under Xvfb), then the same
# for the app image. Both run with a fresh home: the first app start unpacks the engine (with its splash), the
# second start and a search from the CLI must find it unpacked (the cache's files and times unchanged).
# Usage: installers/test-package.sh [cpu|cuda]   (builds the package with mvn -P installer when it is missing)
# Needs: dpkg-deb, Xvfb, xdotool, ImageMagick's import (screenshots). Took 70 s here; not run by mvn verify.
set -euo pipefail

flavour=${1:-cpu}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
package=cellforge
[[ $flavour == cuda ]] && package=cellforge-cuda
deb=$(ls "$here/target/${package}_"*_amd64.deb 2>/dev/null | head -1 || true)
if [[ -z $deb ]]; then
    args=(-B -q -P installer -DskipTests package)
    [[ $flavour == cuda ]] && args+=(-Dflavour=cuda)
    (cd "$root" && mvn "${args[@]}")
    deb=$(ls "$here/target/${package}_"*_amd64.deb | head -1)
fi
image=$here/target/$flavour/image/Cellforge
work=$(mktemp -d /tmp/cellforge-package-test.XXXXXX)
shots=$here/target/test-package
mkdir -p "$shots"
# A first start: no Cellforge folder, no JavaCPP cache. Java takes user.home from the password file, not $HOME,
# and the launchers take no -D options: the JVM itself reads JAVA_TOOL_OPTIONS.
mkdir -p "$work/home"
export JAVA_TOOL_OPTIONS="-Dcellforge.home=$work/home/.cellforge"
cache=$work/home/.cellforge/javacpp-cache
failed=0
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

check() { # NAME COMMAND...: runs it, prints ok or FAILED with its output
    local name=$1; shift
    local log=$work/log.txt
    if "$@" > "$log" 2>&1; then
        echo "ok      $name: $(grep -v '^Picked up JAVA_TOOL_OPTIONS' "$log" | head -c 200 | head -3 | tr '\n' ' ')"
    else
        echo "FAILED  $name (exit $?):"; sed 's/^/        /' "$log" | head -20; failed=1
    fi
}

Xvfb -displayfd 3 -screen 0 1400x900x24 3> "$work/display" 2> /dev/null &
pids+=($!)
for _ in $(seq 50); do [[ -s $work/display ]] && break; sleep 0.1; done
export DISPLAY=:$(cat "$work/display")

app_window() { # LABEL LAUNCHER: starts the app, waits for its main window ("SPACE - Cellforge"), takes a picture
    local label=$1 launcher=$2 start=$SECONDS
    "$launcher" > "$work/$label-app.log" 2>&1 &
    local pid=$!
    pids+=($pid)
    local seen_splash=no
    for _ in $(seq 600); do
        if ! kill -0 $pid 2> /dev/null; then
            echo "FAILED  $label app: it exited"; sed 's/^/        /' "$work/$label-app.log" | head -20; failed=1; return
        fi
        if [[ $seen_splash == no ]] && xdotool search --name "unpacking the engine" > /dev/null 2>&1; then
            seen_splash=yes
            import -window root "$shots/$label-splash.png"
        fi
        if xdotool search --name " - Cellforge\$" > /dev/null 2>&1; then
            sleep 2 # let it paint before the picture
            import -window root "$shots/$label-window.png"
            echo "ok      $label app: window \"$(xdotool getwindowname "$(xdotool search --name " - Cellforge\$" | head -1)")\" after $((SECONDS - start)) s, splash seen: $seen_splash (pictures in $shots)"
            kill $pid
            wait $pid 2> /dev/null || true
            return
        fi
        sleep 0.5
    done
    echo "FAILED  $label app: no window in 300 s"; failed=1
}

cache_listing() { # every file of the cache with its size and time
    (cd "$cache" 2> /dev/null && find . -printf '%p %s %T@\n' | sort) || true
}

echo "== the .deb: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb -x "$deb" "$work/root"
installed=$work/root/opt/$package
echo "installed tree: $(du -sh "$installed" | cut -f1)"
check "deb: the desktop entry names the launcher" grep -q "Exec=/opt/$package/bin/Cellforge" "$installed/lib/$package-Cellforge.desktop"
check "deb: postinst puts the CLI on the PATH" bash -c "dpkg-deb -e '$deb' '$work/control' && grep -q '/usr/bin/$package\$' '$work/control/postinst'"
check "deb: cellforge --version" "$installed/bin/cellforge" --version
check "deb: cellforge stats --zoo darts-search" "$installed/bin/cellforge" stats --zoo darts-search
app_window deb "$installed/bin/Cellforge"
echo "first-start unpack: $(du -sh "$cache" 2> /dev/null | cut -f1)"
cache_listing > "$work/cache-first.txt"

echo "== the app image: $image ($(du -sh "$image" | cut -f1))"
check "image: cellforge --version" "$image/bin/cellforge" --version
check "image: cellforge stats --zoo darts-search" "$image/bin/cellforge" stats --zoo darts-search
app_window image "$image/bin/Cellforge"
# the app loads the engine at its first start only; a search loads it from the cache
check "image: cellforge search --zoo darts-mini --data digits --epochs 1" \
    "$image/bin/cellforge" search --zoo darts-mini --data digits --epochs 1 --out "$work/run"
cache_listing > "$work/cache-second.txt"
if [[ -s $work/cache-first.txt ]] && cmp -s "$work/cache-first.txt" "$work/cache-second.txt"; then
    echo "ok      second start: the cache's $(wc -l < "$work/cache-first.txt") entries unchanged (sizes and times)"
else
    echo "FAILED  second start: the cache changed (or is empty)"; diff "$work/cache-first.txt" "$work/cache-second.txt" | head; failed=1
fi

if [[ $failed == 0 ]]; then echo "PASSED"; else echo "FAILED"; fi
exit $failed
