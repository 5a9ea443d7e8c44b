#!/usr/bin/env bash
# Builds Cellforge's Linux packages with jpackage from what `mvn package` left in app/target:
#   installers/target/FLAVOUR/image/Cellforge/     the app image (bin/Cellforge, the app; bin/cellforge, the CLI)
#   installers/target/cellforge[-cuda]_VERSION_amd64.deb
# Usage: installers/build.sh [cpu|cuda] [VERSION]    (mvn -P installer package calls it; see installers/README.md)
set -euo pipefail

flavour=${1:-cpu}
version=${2:-0.1.0}
version=${version%-SNAPSHOT} # jpackage takes numbers only
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
case "$flavour" in
    cpu) package=cellforge; summary="neural-architecture search (CPU)" ;;
    cuda) package=cellforge-cuda; summary="neural-architecture search (NVIDIA GPU, CUDA 11.6)" ;;
    *) echo "installers/build.sh: the flavour is cpu or cuda, not $flavour" >&2; exit 2 ;;
esac
# the CUDA flavour's commands carry its name, so that both packages can be installed side by side
cli=$package
app=$package-app

[[ -f $root/app/target/cellforge-app.jar ]] || { echo "installers/build.sh: no app/target/cellforge-app.jar; run mvn -DskipTests package first" >&2; exit 1; }
out=$here/target/$flavour
rm -rf "$out"
mkdir -p "$out/input" "$out/resources" "$out/jdeps"

# The input: every jar in one folder; jpackage puts them all on the class path (ND4J stays off the module path).
cp "$root/app/target/cellforge-app.jar" "$root/app/target/lib/"*.jar "$out/input/"
if [[ $flavour == cuda ]] && ! compgen -G "$out/input/nd4j-cuda-11.6-*" > /dev/null; then
    echo "installers/build.sh: app/target/lib has no nd4j-cuda-11.6: build with -Dflavour=cuda (or -Pcuda)" >&2; exit 1
fi
if [[ $flavour == cuda ]] && compgen -G "$out/input/nd4j-native-[0-9]*" > /dev/null; then
    echo "installers/build.sh: app/target/lib holds the CPU backend too: build the CUDA flavour with clean" >&2; exit 1
fi
if [[ $flavour == cpu ]] && compgen -G "$out/input/nd4j-cuda-*" > /dev/null; then
    echo "installers/build.sh: app/target/lib holds the CUDA backend: build the CPU flavour with clean, without -Pcuda" >&2; exit 1
fi
# Only Linux x86-64 natives: JavaCPP and JavaFX name a platform in the jar's classifier.
for j in "$out/input/"*.jar; do
    n=$(basename "$j")
    if [[ $n =~ -(windows|macosx|android|ios|mac|win|linux-(arm64|armhf|ppc64le|aarch64))[-.] ]]; then
        echo "leaving out $n (not Linux x86-64)"
        rm "$j"
    fi
done

# The JDK modules the jars use, as jdeps names them. jdeps reads jars with a module-info as modules, and ND4J's
# are broken (they name packages they do not hold): it reads copies without one.
cp "$out/input/"*.jar "$out/jdeps/"
for j in "$out/jdeps/"*.jar; do
    zip -q -d "$j" module-info.class 'META-INF/versions/*/module-info.class' > /dev/null 2>&1 || true
done
modules=$(jdeps --ignore-missing-deps --multi-release 17 --print-module-deps "$out/jdeps/"*.jar)
rm -rf "$out/jdeps"
# What jdeps may not see: JavaFX's AWT bridge and its JavaScript object (java.desktop, jdk.jsobject), the
# Unsafe of ND4J and JavaCPP (jdk.unsupported), all reached by reflection.
modules=$(echo "$modules,java.desktop,jdk.jsobject,jdk.unsupported" | tr , '\n' | sort -u | paste -sd ,)
echo "runtime modules: $modules"

# --java-options: none needed. The engine sets its OpenMP wait policy and thread count itself
# (engine.NativeEnvironment, before ND4J loads) and JavaCPP's cache folder (engine.NativeCache).
common=(--name Cellforge --app-version "$version" --vendor "Cellforge" --description "Cellforge: $summary"
        --icon "$here/icons/cellforge.png")
jpackage --type app-image "${common[@]}" --dest "$out/image" \
    --input "$out/input" --main-jar cellforge-app.jar --main-class io.cellforge.app.Launcher \
    --add-launcher "cellforge=$here/cli-launcher.properties" \
    --add-modules "$modules" --jlink-options "--strip-debug --no-man-pages --no-header-files --compress=2"

install_dir=/opt/$package
for f in postinst prerm; do
    sed -e "s|@INSTALL_DIR@|$install_dir|g" -e "s|@CLI@|$cli|g" -e "s|@APP@|$app|g" "$here/linux/$f" > "$out/resources/$f"
done
# the desktop entries, by launcher: the app's passes the file opened (%f); the CLI's is hidden from the menus
# (jpackage 17 makes one for every launcher, linux-shortcut=false or not)
cp "$here/linux/Cellforge.desktop" "$here/linux/cellforge.desktop" "$out/resources/"
# JavaFX's natives come in its jars, so jpackage does not see the desktop libraries they need.
# The .deb is made from the app image; xz gains little on jars, so dpkg-deb compresses less (and faster).
(cd "$here" && DPKG_DEB_COMPRESSOR_TYPE=gzip DPKG_DEB_COMPRESSOR_LEVEL=6 jpackage --type deb "${common[@]}" \
    --app-image "$out/image/Cellforge" --dest "$out" --resource-dir "$out/resources" \
    --linux-package-name "$package" --install-dir /opt --linux-app-category science \
    --linux-shortcut --linux-menu-group "Science;Education" \
    --linux-package-deps "libgtk-3-0, libxtst6, libxxf86vm1, libgl1" \
    --file-associations "$here/yaml-association.properties")
deb=$(ls "$out/${package}_"*_amd64.deb)
mv "$deb" "$here/target/${package}_${version}_amd64.deb"
echo "built $here/target/${package}_${version}_amd64.deb and $out/image/Cellforge"
