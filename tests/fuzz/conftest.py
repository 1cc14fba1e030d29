from tests.imports.conftest import _media, campaign, civic, importer_case, standard  # noqa: F401
