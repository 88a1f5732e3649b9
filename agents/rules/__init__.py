"""Rule and lexicon tables (JSON data) used by the stages; loaded once per process."""
