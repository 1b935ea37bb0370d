"""The one exception type the CLI turns into a single line on stderr and a non-zero exit."""


class SendclfError(Exception):
    """A problem with the user's input or files, explained in one line: never a traceback."""
