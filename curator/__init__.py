"""curator: turn raw LLM example pairs into clean fine-tuning data."""

__version__ = "0.1.0"
