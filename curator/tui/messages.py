"""Messages that cross screens."""

from __future__ import annotations

from textual.message import Message


class ExampleChanged(Message):
    """An example was decided or edited; the queue should refresh its row."""

    def __init__(self, example_id: int) -> None:
        super().__init__()
        self.example_id = example_id


class JumpToError(Message):
    """Move the editor's cursor to the value an error is about."""

    def __init__(self, where: str, path: str) -> None:
        super().__init__()
        self.where = where
        self.path = path
