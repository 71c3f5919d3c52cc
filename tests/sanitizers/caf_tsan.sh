#!/usr/bin/env bash
# Builds Debian's CAF core library (the installed version, from its Debian source) instrumented for
# ThreadSanitizer into $1/lib, once; scripts/sanitize.sh tsan runs the tests with it in LD_LIBRARY_PATH.
# Why: Debian's libcaf_core.so is not instrumented, so TSan does not see the atomics with which CAF hands an actor
# and its messages from one thread to the next, and reports a race in almost every actor (3,660 reports in one
# run of the suites). Same version, same build options (caf/detail/build_config.hpp), so the same ABI.
set -euo pipefail
out=$1
library=$out/lib/libcaf_core.so.0.17.6
[[ -e $library ]] && exit 0
version=$(dpkg-query -W -f='${source:Version}' libcaf-core0.17)
work=$out/source
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
# A private source list (the machine's own mirrors, as deb-src: tests/sanitizers/apt_sources.sh) and cache: the
# machine's apt configuration is left alone, and the script works wherever the machine's mirror is.
bash "$(dirname "$0")/apt_sources.sh" "$work/apt"
apt=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts="$work/apt/sources.list.d"
     -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
apt-get "${apt[@]}" -qq update
read -r uri _ _ checksum < <(apt-get "${apt[@]}" source --print-uris "actor-framework=$version" | grep "orig.tar")
uri=${uri//\'/}
curl -sSfL -o "$work/orig.tar.gz" "$uri"
echo "${checksum#SHA256:}  $work/orig.tar.gz" | sha256sum --check --quiet
tar -xzf "$work/orig.tar.gz" -C "$work"
# Ninja, and a unity build (CAF's 148 core sources compiled in batches of 16, so its headers are parsed about 10
# times instead of 148): the same code and options, a third of the compile time (docs/RELIABILITY.md, "CI time").
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
cmake -S "$work"/actor-framework-* -B "$out" -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1 -g1 -fno-omit-frame-pointer" -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
  -DCAF_NO_IO=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_OPENCL=yes -DCAF_NO_PYTHON=yes -DCAF_NO_TOOLS=yes \
  -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_SUMMARY=yes >/dev/null
cmp "$out/libcaf_core/caf/detail/build_config.hpp" /usr/include/caf/detail/build_config.hpp
cmake --build "$out" -j"$(nproc)" --target libcaf_core_shared >/dev/null
