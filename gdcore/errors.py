"""The one error type gdviz raises for bad input: its message is a single line meant for the user."""


class GdvizInputError(ValueError):
    """Bad input from the user: the message names the bad value and what is accepted, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))
