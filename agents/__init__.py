"""wirestream stages: pure, Kafka-free functions (ingest, clean, dedupe, enrich, publish) and the pipeline chaining them."""
