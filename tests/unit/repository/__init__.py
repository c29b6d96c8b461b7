"""Tests of the repository's build files: packaging, the Dockerfile and the dependency pins."""
