"""The printable FAQ handout, built from the knowledge base (docs/handout.md)."""
