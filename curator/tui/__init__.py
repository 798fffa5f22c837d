"""The labeling TUI (Textual). Only this package imports textual."""
