#!/usr/bin/env bash
# Builds the sandbox's Kubernetes from the Go module proxy: kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl
# of k8s.io/kubernetes, etcd at the version that release requires, and
# CoreDNS and the local-path provisioner (static, for their images).
#
#   build-kubernetes.sh <kubernetes version> <coredns version> <local-path version> <out dir>
#
# k8s.io/kubernetes is built as a dependency of a small wrapper module whose
# `replace` lines point each staging module (k8s.io/api, k8s.io/apiserver…)
# at its published v0.x.y: the release's own go.mod points them at
# ./staging, which a module download does not have. Leaves <out>/bin/*.
# Takes about 12 minutes on 2 cores with a cold Go cache; prints one
# progress line per step.
set -euo pipefail

version=${1:?usage: build-kubernetes.sh <kubernetes version> <coredns version> <local-path version> <out dir>}
coredns=${2:?}
localpath=${3:?}
out=${4:?}
mkdir -p "$out/bin"
work=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

step() { echo "[k8s-build] $*"; }
minor=${version#*.}
minor=${minor%%.*}
staging="v0.${version#*.}"

step "1/5 reading k8s.io/kubernetes v$version's go.mod from the module proxy"
gomod=$(go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
[ -f "$gomod" ] || { echo "no go.mod for k8s.io/kubernetes v$version" >&2; exit 1; }

mkdir -p "$work/kube/cmd/etcd"
{
  echo "module sandbox.local/kube"
  echo
  echo "go $(sed -n 's/^go //p' "$gomod")"
  echo
  echo "require k8s.io/kubernetes v$version"
  echo
  echo "replace ("
  # Every staging module but the samples, which nothing we build imports.
  sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod" |
    grep -v '^k8s.io/sample-' |
    while read -r module; do echo "	$module => $module $staging"; done
  echo ")"
} >"$work/kube/go.mod"
cat >"$work/kube/tools.go" <<'GO'
//go:build tools

package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
cat >"$work/kube/cmd/etcd/main.go" <<'GO'
// Command etcd is etcd's server at the version k8s.io/kubernetes requires.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO

step "2/5 resolving modules"
(cd "$work/kube" && go mod tidy 2>&1 | grep -v '^go: downloading' || true)

step "3/5 compiling Kubernetes v$version and etcd (the longest step: about 10 minutes on 2 cores)"
ldflags="-s -w"
for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $v.gitVersion=v$version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
  ldflags+=" -X $v.buildDate=1970-01-01T00:00:00Z"
done
(cd "$work/kube" && CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$work/bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy \
  k8s.io/kubernetes/cmd/kubectl ./cmd/etcd)
# The kubelet needs cgo for nothing, but its cAdvisor reads the host as root.
(cd "$work/kube" && CGO_ENABLED=0 go build -ldflags "$ldflags" -o "$work/bin/" k8s.io/kubernetes/cmd/kubelet)

step "4/5 compiling CoreDNS v$coredns"
mkdir -p "$work/coredns"
cat >"$work/coredns/go.mod" <<MOD
module sandbox.local/coredns

go 1.26.0

require github.com/coredns/coredns v$coredns
MOD
cat >"$work/coredns/main.go" <<'GO'
// Command coredns is CoreDNS with its standard plugins.
package main

import (
	_ "github.com/coredns/coredns/core/plugin"
	"github.com/coredns/coredns/coremain"
)

func main() { coremain.Run() }
GO
(cd "$work/coredns" && go mod tidy 2>&1 | grep -v '^go: downloading' || true)
(cd "$work/coredns" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$work/bin/coredns" .)

step "5/5 compiling local-path-provisioner v$localpath"
mkdir -p "$work/localpath"
(cd "$work/localpath" && go mod init sandbox.local/localpath >/dev/null 2>&1 &&
  go get "github.com/rancher/local-path-provisioner@v$localpath" 2>&1 | grep -v '^go: downloading' || true)
(cd "$work/localpath" && CGO_ENABLED=0 go build -ldflags "-s -w" -o "$work/bin/local-path-provisioner" \
  github.com/rancher/local-path-provisioner)

mv "$work/bin/"* "$out/bin/"
step "done: $(ls "$out/bin" | tr '\n' ' ')"
