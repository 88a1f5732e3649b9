"""wirestream stages: pure, Kafka-free functions and the pipeline chaining them.

The stages are ingest, clean, dedupe, enrich and publish.
"""
