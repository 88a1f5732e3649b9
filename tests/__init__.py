"""wirestream tests: unit, golden, integration (real broker), e2e (CLI, demo, browser)."""
