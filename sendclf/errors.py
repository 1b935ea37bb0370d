"""The exception types: one line for the user, never a traceback."""


class SendclfError(Exception):
    """A problem with the user's input or files, explained in one line: never a traceback. The CLI prints it
    on stderr and exits with code 1."""


class ModelFolderError(SendclfError):
    """A saved model folder that cannot be used as it is. It names what is wrong; the model loader
    (`models.folder`), which knows the model's name, adds how to get a good folder back: a good copy
    (`recopy`), or the command that retrains it, with `retrain_options` after it."""

    def __init__(self, problem: str, recopy: bool = True, retrain_options: str = ""):
        super().__init__(problem)
        self.problem = problem
        self.recopy = recopy
        self.retrain_options = retrain_options
