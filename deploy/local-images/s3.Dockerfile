# An S3-compatible endpoint for the container tier where minio/minio cannot be pulled:
# moto's server, from PyPI.
FROM findings-local/python:3.11
RUN python3 -m venv /opt/moto && /opt/moto/bin/pip install --no-cache-dir "moto[server]==5.2.5"
EXPOSE 9000
ENTRYPOINT ["/opt/moto/bin/moto_server"]
CMD ["-H", "0.0.0.0", "-p", "9000"]
