"""How a `ledger` command fails: exit codes, and the error for input that broke a field's rule."""

EXIT_RULE_BROKEN = 1  # a business rule refused the command
EXIT_INVALID_INPUT = 2  # the input itself is malformed
EXIT_UNAVAILABLE = 3  # infrastructure or concurrency: retrying may succeed
EXIT_INTERRUPTED = 130  # Ctrl-C: the shells' 128 + SIGINT, so scripts see the usual code


class InvalidInput(ValueError):
    """Command-line input failed validation; the message names each field."""
