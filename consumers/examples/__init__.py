"""Runnable examples of downstream subscribers built with the subscriber kit."""
