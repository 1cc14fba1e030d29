"""Django-free core: framework format, scoring engine and the maths.

Nothing under ``wenming.core`` may import Django, so the engine can be tested and
benchmarked without a database and reused by the CLI as it is by the web product.
"""
