"""The engine's version, in one place: the package metadata and every result record name it."""

ENGINE_VERSION = "0.1.0"  # keep equal to pyproject.toml's version (tests/test_audit_record.py checks)
