"""Tests of the build extension in docs/_ext, module by module."""
