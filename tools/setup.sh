#!/usr/bin/env bash
# Installs the Debian packages nanoscape needs that are missing; quiet when all are present.
#   tools/setup.sh          build dependencies (compiler, CMake, libraries) and what
#                           tools/plot.py draws with (python3-matplotlib)
#   tools/setup.sh --test   also what the tests, benchmarks and fuzzers use (GoogleTest, Google
#                           Benchmark, python3-ase and LAMMPS as reference oracles)
# Idempotent: run it as often as you like.
set -euo pipefail

build_packages=(g++ cmake ninja-build pkg-config libeigen3-dev libtomlplusplus-dev libfmt-dev
                libspdlog-dev libcli11-dev libboost-graph-dev nlohmann-json3-dev
                python3 python3-numpy python3-matplotlib)
test_packages=(libgtest-dev libgmock-dev libbenchmark-dev python3-ase lammps clang libomp-dev libopenmpi-dev openmpi-bin)

packages=("${build_packages[@]}")
if [[ "${1:-}" == "--test" ]]; then packages+=("${test_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
