"""wirestream: the Kafka wiring (settings, topics, topology, worker, web, metrics) and the tools (process, replay, demo, bench)."""
