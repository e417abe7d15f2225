#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian bookworm's
# `kubernetes` source package (Go dependencies vendored) with Debian's Go.
# No container runtime or internet beyond Debian's mirror is needed.
#
#   build-kubernetes.sh <cache dir>
#
# Leaves <cache dir>/bin/kube-apiserver and kube-controller-manager. Takes
# about 6.5 minutes on 2 cores; prints one progress line per step.
set -euo pipefail

out=${1:?usage: build-kubernetes.sh <cache dir>}
mkdir -p "$out"
work=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { echo "[k8s-build] $*"; }

sources="$work/apt"
mkdir -p "$sources/lists/partial"
cat >"$sources/bookworm-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$sources"
  -o "Dir::State::Lists=$sources/lists" -o APT::Sandbox::User=root)

step "1/4 fetching the source index (deb-src bookworm)"
apt-get "${apt_private[@]}" update -qq

step "2/4 downloading the kubernetes source package"
(cd "$work" && apt-get "${apt_private[@]}" source --download-only -qq kubernetes)
orig=$(ls "$work"/kubernetes_*.orig.tar.* | head -n1)

step "3/4 unpacking $(basename "$orig")"
mkdir -p "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
cd "$work/src"
mkdir -p .go/src/k8s.io
ln -s ../../.. .go/src/k8s.io/kubernetes

step "4/4 compiling kube-apiserver and kube-controller-manager (about 6 minutes on 2 cores)"
mkdir -p "$work/home"
GOPATH="$PWD/.go" CGO_ENABLED=0 HOME="$work/home" GOFLAGS= \
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" 2>&1 |
  sed -u 's/^/[k8s-build]   /'

mkdir -p "$out/bin"
cp _output/bin/kube-apiserver _output/bin/kube-controller-manager "$out/bin/"
step "done: $out/bin"
